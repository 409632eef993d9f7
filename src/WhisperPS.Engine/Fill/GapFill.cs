using System;
using System.Collections.Generic;

namespace WhisperPS.Engine.Fill
{
    /// <summary>
    /// Decides, in memory, what a gap fill writes into the target's archives. Archives are done finest first;
    /// for each archive, in time order over its window:
    /// <list type="number">
    /// <item>A rollup slot (archive k &gt; 0) whose finer slots were just filled, or that is empty and in the range,
    /// is propagated from the target's own finer archive by whisper's rules (method, xFilesFactor), provided that
    /// finer archive still holds every interval under it (none has been overwritten by a newer lap); a value it
    /// held is replaced by the new aggregate.</item>
    /// <item>An empty slot in the range that is still empty takes a value from the first source that has one:
    /// in each source, from its finest archive that covers the slot and is not coarser than the slot; a finer
    /// source archive is rolled up to the slot with the target's method and xFilesFactor.</item>
    /// </list>
    /// A slot holding a value is never changed except by step 1; a slot holding a newer interval is never touched.
    /// <para>Most of a long archive is often out of reach of both steps (a month-long rollup next to a source that
    /// holds a day): stretches of the range where neither the finer archive nor any source archive can hold data
    /// (see <see cref="ArchiveImage.Extent"/>) are only counted, not visited slot by slot. The result is the same as
    /// visiting every slot (<see cref="Exhaustive"/>, which the tests compare against).</para>
    /// </summary>
    internal sealed class GapFill
    {
        private readonly WhisperHeader _header;
        private readonly ArchiveImage[] _target;
        private readonly List<ArchiveImage[]> _sources;
        private readonly long _from, _until;
        private double[] _values = new double[64];
        private bool[] _known = new bool[64];

        public GapFill(WhisperHeader header, ArchiveImage[] target, List<ArchiveImage[]> sources, long from, long until, bool exhaustive = false)
        {
            Exhaustive = exhaustive;
            _header = header;
            _target = target;
            _sources = sources;
            _from = from;
            _until = until;
            Counts = new ArchiveFillCount[target.Length];
            for (int k = 0; k < target.Length; k++) Counts[k] = new ArchiveFillCount(k, header.Archives[k]);
            SlotsBySource = new long[sources.Count];
        }

        /// <summary>Visit every slot of the range instead of skipping the stretches no data can reach.</summary>
        public bool Exhaustive { get; }

        public ArchiveFillCount[] Counts { get; }
        public long[] SlotsBySource { get; }

        public void Run()
        {
            List<long> changedBelow = null;
            for (int k = 0; k < _target.Length; k++)
                changedBelow = FillArchive(k, changedBelow);
        }

        // Returns the intervals of this archive that changed, ascending, for the next archive's propagation.
        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        private List<long> FillArchive(int k, List<long> changedBelow)
        {
            var a = _target[k];
            long step = a.Step;
            var counts = Counts[k];
            var changed = new List<long>();
            long rangeFirst = Math.Max(a.First, PyMath.Align(_from, step) + step);
            long rangeLast = Math.Min(a.Last, PyMath.Align(_until, step));

            // Rollups touched by the finer archive's changes, as distinct ascending intervals of this archive.
            var touched = new List<long>();
            if (changedBelow != null)
                foreach (long t in changedBelow)
                {
                    long c = PyMath.Align(t, step);
                    if (touched.Count == 0 || touched[touched.Count - 1] != c) touched.Add(c);
                }

            // Where the finer archive or a source archive may hold data for a slot of this archive.
            var reach = Exhaustive ? null : Reach(k, step);
            int ri = 0;

            // Walk the range and the touched rollups outside it together, in time order.
            int ti = 0;
            long next = rangeFirst;
            while (true)
            {
                long t;
                bool inRange;
                long touchedNext = ti < touched.Count ? touched[ti] : long.MaxValue;
                long rangeNext = next <= rangeLast ? next : long.MaxValue;
                if (touchedNext == long.MaxValue && rangeNext == long.MaxValue) break;
                if (reach != null && rangeNext < touchedNext)
                {
                    // Out of every reach up to the next reach or touched rollup: such a slot can only stay as it is.
                    while (ri < reach.Count && reach[ri].End < rangeNext) ri++;
                    long reachable = ri < reach.Count ? Math.Max(reach[ri].Start, rangeNext) : long.MaxValue;
                    if (reachable > rangeNext)
                    {
                        long stop = Math.Min(rangeLast, Math.Min(reachable, touchedNext) - step);
                        counts.StillEmpty += CountEmpty(a, rangeNext, stop);
                        next = stop + step;
                        continue;
                    }
                    // Slots that hold their own point and no finer change touched: nothing to do.
                    long known = a.KnownRun(rangeNext, (Math.Min(rangeLast, touchedNext - step) - rangeNext) / step + 1);
                    if (known > 0)
                    {
                        next = rangeNext + known * step;
                        continue;
                    }
                }
                if (touchedNext <= rangeNext)
                {
                    t = touchedNext;
                    ti++;
                    inRange = t == rangeNext;
                    if (inRange) next += step;
                }
                else
                {
                    t = rangeNext;
                    next += step;
                    inRange = true;
                }
                bool isTouched = touchedNext == t;
                if (t < a.First || t > a.Last) continue;

                var state = a.State(t, out double current);
                if (state == SlotState.Newer) continue;
                bool done = false;
                if (k > 0 && (isTouched || (state == SlotState.Empty && inRange)) && RollUp(_target[k - 1], t, step, out double rolled))
                {
                    if (state == SlotState.Empty)
                    {
                        a.Set(t, rolled, false);
                        counts.FromRollup++;
                        changed.Add(t);
                    }
                    else if (BitConverter.DoubleToInt64Bits(current) != BitConverter.DoubleToInt64Bits(rolled))
                    {
                        a.Set(t, rolled, true);
                        counts.Recomputed++;
                        changed.Add(t);
                    }
                    done = true;
                }
                if (!done && state == SlotState.Empty && inRange)
                {
                    if (FromSources(t, step, out double value, out int source))
                    {
                        a.Set(t, value, false);
                        counts.FromSources++;
                        SlotsBySource[source]++;
                        changed.Add(t);
                    }
                    else
                    {
                        counts.StillEmpty++;
                    }
                }
            }
            return changed;
        }

        private struct Span
        {
            public long Start, End; // aligned intervals of the archive being filled, both included
        }

        // The slots of archive k (step) for which the finer target archive or a source archive fine enough may
        // hold data: those overlapping its extent, and those reaching past its window (a point written with a later
        // clock can sit there). Sorted and merged.
        private List<Span> Reach(int k, long step)
        {
            var spans = new List<Span>();
            void Add(ArchiveImage x)
            {
                x.Extent(out long lo, out long hi);
                if (lo <= hi) spans.Add(new Span { Start = PyMath.Align(lo, step), End = PyMath.Align(hi, step) });
                spans.Add(new Span { Start = PyMath.Align(x.Last + 1, step), End = long.MaxValue });
            }
            if (k > 0) Add(_target[k - 1]);
            foreach (var archives in _sources)
            {
                if (archives == null) continue;
                foreach (var s in archives)
                {
                    if (s.Step > step) break;
                    Add(s);
                }
            }
            spans.Sort((x, y) => x.Start.CompareTo(y.Start));
            var merged = new List<Span>(spans.Count);
            foreach (var s in spans)
            {
                if (merged.Count > 0 && (merged[merged.Count - 1].End == long.MaxValue || s.Start <= merged[merged.Count - 1].End + step))
                {
                    var m = merged[merged.Count - 1];
                    if (s.End > m.End) m.End = s.End;
                    merged[merged.Count - 1] = m;
                }
                else merged.Add(s);
            }
            return merged;
        }

        // The slots from t to stop (inclusive, in the window) that show empty.
        private static long CountEmpty(ArchiveImage a, long t, long stop)
        {
            long step = a.Step;
            long all = (stop - t) / step + 1;
            a.Extent(out long lo, out long hi);
            long from = Math.Max(t, lo), to = Math.Min(stop, hi);
            if (from > to) return all;
            long notEmpty = 0;
            for (long u = from; u <= to; u += step)
                if (a.State(u, out _) != SlotState.Empty) notEmpty++;
            return all - notEmpty;
        }

        // whisper's propagation of the rollup at interval c from the finer archive, refused when the finer archive
        // no longer holds the whole window (an interval under it was overwritten by a newer lap, or is older than
        // its window): the aggregate would then come from part of the data and replace a better value.
        private bool RollUp(ArchiveImage finer, long c, long step, out double value)
        {
            value = 0;
            if (c < finer.First) return false;
            int ratio = (int)(step / finer.Step);
            Ensure(ratio);
            int known = 0;
            for (int i = 0; i < ratio; i++)
            {
                long u = c + i * finer.Step;
                var s = finer.State(u, out double v);
                if (s == SlotState.Newer) return false;
                _known[i] = s == SlotState.Known;
                if (_known[i])
                {
                    _values[i] = v;
                    known++;
                }
            }
            return Aggregate(known, ratio, out value);
        }

        private bool Aggregate(int known, int window, out double value)
        {
            value = 0;
            // whisper: nothing known never propagates, even with xFilesFactor 0.
            if (known == 0 || (double)known / window < _header.XFilesFactor) return false;
            value = Aggregation.Aggregate(_header.AggregationMethod, _values, _known, window, known);
            return true;
        }

        // The first source, in the order given, with data for the slot [t, t + step).
        private bool FromSources(long t, long step, out double value, out int source)
        {
            for (source = 0; source < _sources.Count; source++)
            {
                var archives = _sources[source];
                if (archives == null) continue;
                foreach (var s in archives)
                {
                    if (s.Step > step) break; // coarser data is never spread over finer slots
                    if (FromSourceArchive(s, t, step, out value)) return true;
                }
            }
            value = 0;
            source = -1;
            return false;
        }

        private bool FromSourceArchive(ArchiveImage s, long t, long step, out double value)
        {
            value = 0;
            if (s.Step == step) // the same step (t is aligned to it): the one interval t, if the archive covers it
                return t >= s.First && s.State(t, out value) == SlotState.Known;
            if (t + step <= s.First) return false; // the slot ends before the archive's window begins
            long first = PyMath.Align(t + s.Step - 1, s.Step); // first source interval starting in the slot
            if (first >= t + step || first < s.First) return false; // not covered by this archive
            int window = (int)((t + step - 1 - first) / s.Step) + 1;
            Ensure(window);
            int known = 0;
            for (int i = 0; i < window; i++)
            {
                bool k = s.State(first + i * s.Step, out double v) == SlotState.Known;
                _known[i] = k;
                if (k)
                {
                    _values[i] = v;
                    known++;
                }
            }
            return Aggregate(known, window, out value);
        }

        private void Ensure(int n)
        {
            if (_values.Length >= n) return;
            _values = new double[n];
            _known = new bool[n];
        }
    }
}
