using System;
using System.Collections.Generic;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine
{
    /// <summary>What <see cref="WhisperFile.Resize"/> did to one file.</summary>
    public sealed class ResizeResult : RewriteResult
    {
        public WhisperHeader OldHeader { get; internal set; }
        public WhisperHeader NewHeader { get; internal set; }

        /// <summary>Known points of the old file within its archives' windows at now.</summary>
        public long OldPoints { get; internal set; }

        /// <summary>Known points of the new file.</summary>
        public long NewPoints { get; internal set; }
    }

    public sealed partial class WhisperFile
    {
        /// <summary>
        /// Gives a file new archives (and optionally a new aggregation method and xFilesFactor), rewriting it in place
        /// through <see cref="Rewrite{T}"/>.
        /// <para>Each slot [t, t+step) of each new archive, for the step count of that archive back from the slot
        /// holding now, takes its value from the finest old archive whose window (at now) covers the whole slot:
        /// the old intervals starting inside the slot are aggregated with the new method, and the slot is stored
        /// when known/expected &gt;= xFilesFactor, where expected is the number of old steps in the new one; that is
        /// whisper's propagation rule applied to the finest data there is. A slot no old archive covers, or with no
        /// known old value, stays empty.</para>
        /// <para>A new archive finer than the data covering a slot gets each old value in the new slot that holds
        /// the old interval's start (where whisper would have stored that point), the other new slots of that old
        /// interval empty: nothing is invented. An archive with an unchanged step fed by the same old archive gets
        /// the old values unchanged.</para>
        /// </summary>
        public static ResizeResult Resize(string path, IEnumerable<ArchiveSpec> archives, AggregationMethod? aggregationMethod = null,
            double? xFilesFactor = null, long? now = null, RewriteOptions options = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (aggregationMethod.HasValue) WhisperHeader.CheckMethod(aggregationMethod.Value, path);
            float? xff = xFilesFactor.HasValue ? WhisperHeader.CheckXFilesFactor(xFilesFactor.Value, path) : (float?)null;
            List<ArchiveSpec> sorted;
            try
            {
                sorted = Retention.Validate(archives);
            }
            catch (InvalidConfigurationException e)
            {
                throw new InvalidConfigurationException(e.Message + WhisperException.FileSuffix(path));
            }
            long n = now ?? Clock.UnixNow();
            var result = new ResizeResult();
            return Rewrite(path, current =>
            {
                var old = HeaderOf(current, path);
                var header = WhisperHeader.ForNewFile(sorted, aggregationMethod ?? old.AggregationMethod, xff ?? old.XFilesFactor);
                result.OldHeader = old;
                result.NewHeader = header;
                var image = BuildResized(current, old, header, n, result);
                return new RewriteImage(image, count: (int)header.FileSize);
            }, options, result);
        }

        /// <summary>One old archive's window at now, decoded as fetch sees it: interval First + i*Step is known
        /// when its slot holds exactly that interval.</summary>
        private sealed class Window
        {
            public long Step, First;
            public int Count; // intervals in the window; Values and Known may be longer (kept per thread)
            public double[] Values = new double[0];
            public bool[] Known = new bool[0];

            // The windows of the last resize on this thread, reused: their arrays were most of a resize's allocation,
            // and in a large PowerShell process every collection of them costs a pause.
            [ThreadStatic] private static Window[] _kept;

            public static Window[] For(int count)
            {
                var kept = _kept;
                if (kept == null || kept.Length < count)
                {
                    var grown = new Window[count];
                    for (int i = 0; i < count; i++) grown[i] = kept != null && i < kept.Length ? kept[i] : new Window();
                    _kept = kept = grown;
                }
                return kept;
            }

            [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
            public unsafe void Read(byte[] content, ArchiveInfo a, long now, ref long knownCount)
            {
                long step = a.SecondsPerPoint;
                var w = this;
                w.Step = step;
                w.First = PyMath.Align(now - a.Retention, step) + step;
                int points = (int)a.Points;
                w.Count = points;
                if (w.Values.Length < points)
                {
                    w.Values = new double[points];
                    w.Known = new bool[points];
                }
                else Array.Clear(w.Known, 0, points);
                long baseInterval = BigEndian.ReadUInt32(content, (int)a.Offset);
                if (baseInterval == 0) return;
                // The ring position of First, then one slot further per interval (a.SlotOffset without its divisions).
                int position = (int)PyMath.FloorMod(PyMath.FloorDiv(w.First - baseInterval, step), points);
                long known = 0;
                fixed (byte* archive = &content[(int)a.Offset])
                {
                    // Two straight runs of the ring: [position, points) then [0, position).
                    for (int i = 0, slot = position; i < points; i++, slot = slot + 1 == points ? 0 : slot + 1)
                    {
                        byte* p = archive + (long)slot * Point.Size;
                        long interval = w.First + i * step;
                        // Timestamps are unsigned 32-bit on disk: an interval outside that range never matches.
                        if ((ulong)interval > uint.MaxValue || BigEndian.ReadUInt32(p) != (uint)interval) continue;
                        w.Known[i] = true;
                        w.Values[i] = BigEndian.ReadDouble(p + 4);
                        known++;
                    }
                }
                knownCount += known;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        private static byte[] BuildResized(byte[] content, WhisperHeader old, WhisperHeader header, long now, ResizeResult result)
        {
            long oldPoints = 0;
            int windowCount = old.Archives.Count;
            var windows = Window.For(windowCount);
            for (int k = 0; k < windowCount; k++) windows[k].Read(content, old.Archives[k], now, ref oldPoints);
            result.OldPoints = oldPoints;

            // The image is built in a per-thread buffer: a new array per file would be a large-object allocation,
            // and over thousands of files the collections they cause cost more than the resize itself.
            if (header.FileSize > int.MaxValue) throw new NotSupportedException("A file of " + header.FileSize + " bytes is too large to resize in memory.");
            int size = (int)header.FileSize;
            var image = Scratch.Image(size);
            Array.Clear(image, 0, size);
            byte[] head = header.Encode();
            Buffer.BlockCopy(head, 0, image, 0, head.Length);
            var method = header.AggregationMethod;
            double xff = header.XFilesFactor;
            var values = new double[0];
            var known = new bool[0];
            long newPoints = 0;

            foreach (var a in header.Archives)
            {
                long step = a.SecondsPerPoint;
                int points = (int)a.Points;
                long first = PyMath.Align(now, step) - (points - 1) * step;
                int anchor = -1; // index of the first stored slot, which becomes slot 0 of the ring
                int cachedK = -1;
                long cachedInside = 0, cachedLo = 0;
                // Old steps per new step, for each old archive whose step divides the new one (else 0).
                var ratio = new long[windowCount];
                for (int k = 0; k < windowCount; k++)
                    ratio[k] = step % windows[k].Step == 0 ? step / windows[k].Step : 0;
                // Slots older than every old archive hold no data: start at the first one the coarsest covers, so
                // every slot visited has an archive k (the finest whose window covers it).
                long oldest = windows[windowCount - 1].First;
                int start = oldest <= first ? 0 : (int)Math.Min(points, (oldest - first + step - 1) / step);
                for (int i = start; i < points; i++)
                {
                    long t = first + i * step;
                    int k = 0;
                    while (t < windows[k].First) k++;
                    var w = windows[k];
                    // Old intervals starting in [t, t + step): indexes lo..hi-1 of the window; expected counts them
                    // all, including those past the window (not yet written, as in whisper's propagation at now).
                    // firstInside is the first multiple of the old step at or after t. Without divisions where
                    // possible: an old step dividing the new one starts exactly at t (every t is a multiple of the new
                    // step), else the previous slot's answer still holds or is one old step further.
                    long firstInside, expected, lo;
                    if (ratio[k] > 0)
                    {
                        firstInside = t;
                        expected = ratio[k];
                        lo = k == cachedK && cachedInside == t - step ? cachedLo + ratio[k] : (t - w.First) / w.Step;
                    }
                    else
                    {
                        if (k == cachedK && cachedInside >= t && cachedInside - w.Step < t) firstInside = cachedInside;
                        else if (k == cachedK && cachedInside < t && cachedInside + w.Step >= t) firstInside = cachedInside + w.Step;
                        else firstInside = PyMath.FloorDiv(t + w.Step - 1, w.Step) * w.Step;
                        if (firstInside >= t + step)
                        {
                            cachedK = k;
                            cachedInside = firstInside;
                            // No old interval starts here (new step finer than old): none does before the slot that
                            // holds firstInside either, so go straight there, or to where a finer archive takes over.
                            long next = k > 0 && windows[k - 1].First < firstInside ? windows[k - 1].First : firstInside;
                            long target = (next - first) / step;
                            if (target > i + 1) i = (int)Math.Min(target, points) - 1;
                            continue;
                        }
                        expected = (t + step - 1 - firstInside) / w.Step + 1;
                        lo = (firstInside - w.First) / w.Step;
                    }
                    cachedK = k;
                    cachedInside = firstInside;
                    cachedLo = lo;
                    int hi = (int)Math.Min(w.Count, lo + expected);
                    int span = hi - (int)lo;
                    if (span <= 0) continue;
                    if (expected == 1)
                    {
                        // One old interval for one new slot (same step, or a finer new archive): every method gives
                        // a single known value back unchanged, and 1/1 passes any xFilesFactor. Not for zeros and
                        // NaN, where python's sum (0.0 + -0.0 is 0.0) and avg_zero's rules still decide.
                        if (!w.Known[lo]) continue;
                        double single = w.Values[lo];
                        if (single != 0.0 && !double.IsNaN(single))
                        {
                            if (anchor < 0) anchor = i;
                            Point.Encode(image, (int)(a.Offset + (long)(i - anchor) * Point.Size), t, single);
                            newPoints++;
                            continue;
                        }
                    }
                    if (values.Length < span)
                    {
                        values = new double[span];
                        known = new bool[span];
                    }
                    int knownCount = 0;
                    for (int j = 0; j < span; j++)
                    {
                        known[j] = w.Known[lo + j];
                        values[j] = w.Values[lo + j];
                        if (known[j]) knownCount++;
                    }
                    if (knownCount == 0 || (double)knownCount / expected < xff) continue;
                    double v = method == AggregationMethod.AvgZero
                        ? AvgZero(values, known, span, expected)
                        : Aggregation.Aggregate(method, values, known, span, knownCount);
                    if (anchor < 0) anchor = i;
                    int slot = i - anchor; // anchor <= i < points
                    Point.Encode(image, (int)(a.Offset + (long)slot * Point.Size), t, v);
                    newPoints++;
                }
            }
            result.NewPoints = newPoints;
            return image;
        }

        // whisper's avg_zero over a window of `expected` slots of which only the first `span` can be known: missing
        // and zero slots add 0.0, which leaves a left-to-right sum unchanged.
        private static double AvgZero(double[] values, bool[] known, int span, long expected)
        {
            double s = 0.0;
            for (int i = 0; i < span; i++)
                if (known[i] && values[i] != 0.0) s += values[i];
            return s / expected;
        }
    }
}
