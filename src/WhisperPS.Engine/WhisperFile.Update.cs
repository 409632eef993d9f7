using System;
using System.Collections.Generic;

namespace WhisperPS.Engine
{
    public sealed partial class WhisperFile
    {
        // Gaps between writes smaller than this are filled with the bytes already there, so one write replaces
        // many. Below the smallest filesystem block size, so a sparse file never gains a block it would not have
        // gained anyway (both neighbours of such a gap are written).
        private const int BridgeGap = 512;

        // Reused per open file: one propagation window's decoded values.
        private double[] _windowValues = new double[0];
        private bool[] _windowKnown = new bool[0];
        private readonly long[] _one = new long[1];

        /// <summary>
        /// whisper's update(): one point into the finest archive that covers its age, then propagated to coarser
        /// archives until one does not take a value. Points in the future, or exactly as old as the max retention
        /// or older, are refused with <see cref="TimestampNotCoveredException"/>.
        /// </summary>
        public void Update(double value, long? timestamp = null, long? now = null)
        {
            RequireWrite();
            long n = now ?? Clock.UnixNow();
            long t = timestamp ?? n;
            CheckTimestamp(t, Path);
            long age = n - t;
            if (!(age < Header.MaxRetention && age >= 0))
                throw new TimestampNotCoveredException("Timestamp not covered by any archives in this database. " +
                    "The point at " + t + " is " + (age < 0 ? -age + " seconds in the future" : age + " seconds old") +
                    "; a single update takes points from now back to " + (Header.MaxRetention - 1) + " seconds ago." +
                    WhisperException.FileSuffix(Path));

            BeginCall();
            var archives = Header.Archives;
            int i = 0;
            while (archives[i].Retention < age) i++;
            long interval = t - t % archives[i].SecondsPerPoint;
            WriteSlot(i, interval, value);

            for (int k = i + 1; k < archives.Count; k++)
            {
                // whisper passes the finest interval to every level; each level aligns it to its own step.
                _one[0] = interval - interval % archives[k].SecondsPerPoint;
                if (!PropagateLevel(k - 1, k, _one, 1)) break;
            }
            AfterWrite();
        }

        /// <summary>
        /// whisper's update_many(): points are sorted newest first and handed out by age, each archive taking the
        /// points within its retention (age == retention included, future points included) and writing them raw;
        /// then each touched coarse interval is propagated once. Within one slot the latest timestamp wins, and for
        /// equal timestamps the first given. Points older than every archive are returned in
        /// <see cref="UpdateResult.Dropped"/> instead of vanishing silently.
        /// </summary>
        public UpdateResult UpdateMany(IEnumerable<Point> points, long? now = null)
        {
            RequireWrite();
            if (points == null) throw new ArgumentNullException(nameof(points));
            var list = points as IReadOnlyList<Point> ?? new List<Point>(points);
            int count = list.Count;
            if (count == 0) return new UpdateResult(0, null);
            for (int i = 0; i < count; i++) CheckTimestamp(list[i].Timestamp, Path);
            long n = now ?? Clock.UnixNow();
            BeginCall();

            // Chronological order as whisper produces it: its stable newest-first sort, reversed per bucket, is
            // timestamps ascending with equal timestamps in reverse input order.
            var ts = Scratch.Timestamps(count);
            var values = Scratch.Values(count);
            SortChronological(list, ts, values);

            // Buckets are contiguous from the newest end: archive k takes ages in (retention[k-1], retention[k]].
            var archives = Header.Archives;
            int stored = 0;
            int hi = count;
            for (int k = 0; k < archives.Count && hi > 0; k++)
            {
                long oldest = n - archives[k].Retention;
                int lo = hi;
                while (lo > 0 && ts[lo - 1] >= oldest) lo--;
                if (lo < hi)
                {
                    WriteArchive(k, ts, values, lo, hi);
                    stored += hi - lo;
                }
                hi = lo;
            }
            List<Point> dropped = null;
            if (hi > 0)
            {
                // Older than every archive; reported newest first, the order whisper walks them in.
                dropped = new List<Point>(hi);
                for (int j = hi - 1; j >= 0; j--) dropped.Add(new Point(ts[j], values[j]));
            }
            AfterWrite();
            return new UpdateResult(stored, dropped);
        }

        private static void SortChronological(IReadOnlyList<Point> list, long[] ts, double[] values)
        {
            int count = list.Count;
            bool ascending = true, descending = true;
            long previous = list[0].Timestamp;
            for (int i = 1; i < count && (ascending || descending); i++)
            {
                long t = list[i].Timestamp;
                if (t <= previous) ascending = false;
                if (t >= previous) descending = false;
                previous = t;
            }
            if (ascending || descending)
            {
                // Distinct timestamps in order (the usual case): no sort needed.
                for (int i = 0; i < count; i++)
                {
                    var p = list[ascending ? i : count - 1 - i];
                    ts[i] = p.Timestamp;
                    values[i] = p.Value;
                }
                return;
            }
            // Timestamp in the high half, reversed input index in the low half: a plain ascending sort of the keys
            // gives timestamps ascending and, for equal timestamps, the later input first.
            var keys = Scratch.Keys(count);
            for (int i = 0; i < count; i++)
                keys[i] = ((ulong)list[i].Timestamp << 32) | (uint.MaxValue - (uint)i);
            Array.Sort(keys, 0, count);
            for (int i = 0; i < count; i++)
            {
                var p = list[(int)(uint.MaxValue - (uint)keys[i])];
                ts[i] = p.Timestamp;
                values[i] = p.Value;
            }
        }

        /// <summary>
        /// whisper's __archive_update_many for points [lo, hi) in chronological order: align the points to the
        /// archive's step, keep the last of each run of equal intervals, write the contiguous runs (whisper does one
        /// write per run; we merge runs separated by small gaps into one write), then propagate the touched coarse
        /// intervals archive by archive.
        /// </summary>
        internal void WriteArchive(int archiveIndex, long[] ts, double[] values, int lo, int hi)
        {
            var archive = Header.Archives[archiveIndex];
            long step = archive.SecondsPerPoint;
            int count = hi - lo;
            // Timestamps are checked non-negative, so % is Python's modulo here.
            var aligned = Scratch.Aligned(count);
            for (int i = 0; i < count; i++) aligned[i] = ts[lo + i] - ts[lo + i] % step;

            // Pack the kept points back to back; runs are (start interval, first byte, bytes).
            var packed = Scratch.Pack(count * Point.Size);
            var runStarts = Scratch.Runs(count);
            var runIndex = Scratch.RunIndex(2 * count);
            int runs = 0, used = 0, runStart = 0;
            bool havePrevious = false;
            long previous = 0;
            for (int i = 0; i < count; i++)
            {
                if (i + 1 < count && aligned[i] == aligned[i + 1]) continue;
                long interval = aligned[i];
                // whisper tests "not previousInterval", so an interval of 0 also continues a run.
                if (havePrevious && previous != 0 && interval != previous + step)
                {
                    runStarts[runs] = previous - step * ((used - runStart) / Point.Size - 1);
                    runIndex[2 * runs] = runStart;
                    runIndex[2 * runs + 1] = used - runStart;
                    runs++;
                    runStart = used;
                }
                Point.Encode(packed, used, interval, values[lo + i]);
                used += Point.Size;
                previous = interval;
                havePrevious = true;
            }
            runStarts[runs] = previous - step * ((used - runStart) / Point.Size - 1);
            runIndex[2 * runs] = runStart;
            runIndex[2 * runs + 1] = used - runStart;
            runs++;

            // whisper reads the anchor once and uses it for every run, even when the first run sets it.
            long baseInterval = GetBase(archiveIndex);
            if (baseInterval == 0) baseInterval = runStarts[0];
            var offsets = Scratch.SegmentOffsets(2 * runs);
            var spans = Scratch.SegmentSpans(4 * runs);
            int segments = 0;
            for (int r = 0; r < runs; r++)
            {
                int index = runIndex[2 * r], length = runIndex[2 * r + 1];
                long offset = archive.SlotOffset(runStarts[r], baseInterval);
                long beyond = offset + length - archive.End;
                if (beyond > 0)
                {
                    // Wraps round the ring end: the head up to the end, the rest from slot 0.
                    int head = length - (int)beyond;
                    offsets[segments] = offset; spans[2 * segments] = index; spans[2 * segments + 1] = head; segments++;
                    offsets[segments] = archive.Offset; spans[2 * segments] = index + head; spans[2 * segments + 1] = (int)beyond; segments++;
                }
                else
                {
                    offsets[segments] = offset; spans[2 * segments] = index; spans[2 * segments + 1] = length; segments++;
                }
            }
            long slotZero = WriteSegments(archive, packed, offsets, spans, segments);
            if (slotZero >= 0) SetBase(archiveIndex, slotZero);

            // Propagate: each coarser archive in turn, the distinct coarse intervals of all the points.
            var coarse = Scratch.Coarse(count);
            int higher = archiveIndex;
            for (int lower = archiveIndex + 1; lower < Header.Archives.Count; lower++)
            {
                long lowerStep = Header.Archives[lower].SecondsPerPoint;
                int m = 0;
                for (int i = 0; i < count; i++)
                {
                    long c = aligned[i] - aligned[i] % lowerStep;
                    if (m == 0 || coarse[m - 1] != c) coarse[m++] = c;
                }
                if (!PropagateLevel(higher, lower, coarse, m)) break;
                higher = lower;
            }
        }

        /// <summary>
        /// Issues one bucket's writes (file offset, packed index, length) in whisper's order, merging a write into
        /// the previous group when it starts at most <see cref="BridgeGap"/> bytes after the group ends: the group's
        /// span is read once, the writes are laid over it in order, and it is written back once. The file's bytes
        /// end up exactly as after whisper's separate writes. Returns the interval last written to slot 0, or -1.
        /// </summary>
        private long WriteSegments(ArchiveInfo archive, byte[] packed, long[] offsets, int[] spans, int count)
        {
            long slotZero = -1;
            int s = 0;
            while (s < count)
            {
                int first = s;
                long start = offsets[s], end = start + spans[2 * s + 1];
                s++;
                while (s < count && offsets[s] >= end && offsets[s] - end < BridgeGap)
                {
                    end = offsets[s] + spans[2 * s + 1];
                    s++;
                }
                if (s - first == 1)
                {
                    _file.Write(start, packed, spans[2 * first], (int)(end - start));
                }
                else
                {
                    var merged = Scratch.Bridge((int)(end - start));
                    ReadRange(start, merged, 0, (int)(end - start));
                    for (int k = first; k < s; k++)
                        Buffer.BlockCopy(packed, spans[2 * k], merged, (int)(offsets[k] - start), spans[2 * k + 1]);
                    _file.Write(start, merged, 0, (int)(end - start));
                }
                for (int k = first; k < s; k++)
                    if (offsets[k] == archive.Offset) slotZero = BigEndian.ReadUInt32(packed, spans[2 * k]);
            }
            return slotZero;
        }

        /// <summary>
        /// whisper's __propagate for each of the <paramref name="count"/> ascending coarse intervals in
        /// <paramref name="coarse"/>, from archive <paramref name="higher"/> into <paramref name="lower"/>, with the
        /// same results: each window of finer slots is checked against the xFilesFactor (the stored float32, widened,
        /// as Python compares it) and aggregated; each value is written into the coarser archive at the slot its
        /// anchor gives. whisper re-reads the finer slots and both anchors per interval; the finer archive does not
        /// change during a level, so we read the span all windows cover once, compute in memory, and write the
        /// results as contiguous runs, in whisper's set order whenever that order can change the bytes.
        /// Returns whether any interval propagated.
        /// </summary>
        private bool PropagateLevel(int higher, int lower, long[] coarse, int count)
        {
            var h = Header.Archives[higher];
            var l = Header.Archives[lower];
            long hStep = h.SecondsPerPoint, lStep = l.SecondsPerPoint;
            int ratio = (int)(lStep / hStep);
            long hPoints = h.Points;

            // The finer slots every window covers: one read (two if the ring wraps).
            long hBase = GetBase(higher);
            long hullStart, hullLength;
            if (hBase == 0)
            {
                // whisper reads every window from slot 0 of an unanchored archive.
                hullStart = 0;
                hullLength = ratio;
            }
            else
            {
                long span = (coarse[count - 1] - coarse[0]) / hStep + ratio;
                if (span >= hPoints) { hullStart = 0; hullLength = hPoints; }
                else { hullStart = PyMath.FloorMod(PyMath.FloorDiv(coarse[0] - hBase, hStep), hPoints); hullLength = span; }
            }
            var hull = Scratch.Hull((int)(hullLength * Point.Size));
            long firstPart = Math.Min(hullLength, hPoints - hullStart);
            ReadRange(h.Offset + hullStart * Point.Size, hull, 0, (int)(firstPart * Point.Size));
            if (firstPart < hullLength)
                ReadRange(h.Offset, hull, (int)(firstPart * Point.Size), (int)((hullLength - firstPart) * Point.Size));

            // Aggregate every window.
            EnsureWindow(ratio);
            var ok = Scratch.Propagates(count);
            var aggregates = Scratch.Aggregates(count);
            double xff = Header.XFilesFactor;
            var method = Header.AggregationMethod;
            int propagated = 0;
            for (int j = 0; j < count; j++)
            {
                long c = coarse[j];
                long first = hBase == 0 ? 0 : PyMath.FloorMod(PyMath.FloorDiv(c - hBase, hStep), hPoints);
                long index = first - hullStart;
                if (index < 0) index += hPoints;
                int known = 0;
                long expected = c;
                for (int i = 0; i < ratio; i++, expected += hStep, index++)
                {
                    if (index >= hPoints) index -= hPoints;
                    int p = (int)index * Point.Size;
                    bool isKnown = BigEndian.ReadUInt32(hull, p) == expected;
                    _windowKnown[i] = isKnown;
                    if (isKnown)
                    {
                        _windowValues[i] = BigEndian.ReadDouble(hull, p + 4);
                        known++;
                    }
                }
                // whisper: no known value => False even with xff 0; else known/len >= xff.
                bool takes = known > 0 && (double)known / ratio >= xff;
                ok[j] = takes;
                if (takes)
                {
                    aggregates[j] = Aggregation.Aggregate(method, _windowValues, _windowKnown, ratio, known);
                    propagated++;
                }
            }
            if (propagated == 0) return false;

            // Where each value goes. With an aligned anchor, positive intervals and no two intervals a ring apart,
            // every value has its own slot and the order of the writes cannot matter; otherwise (an empty archive,
            // whose first write becomes the anchor, or values that share a slot) follow whisper's set order exactly.
            long lBase = GetBase(lower);
            long lPoints = l.Points;
            bool orderFree = lBase != 0 && lBase % lStep == 0 && coarse[0] > 0 && coarse[count - 1] - coarse[0] < lPoints * lStep;
            var records = Scratch.Records(propagated);
            int written = 0;
            long anchor = lBase;
            if (orderFree)
            {
                // Slots ascend (wrapping at most once) and are distinct, so runs are consecutive records. A write to
                // slot 0 re-anchors the ring at a later lap of the same position, which moves no other slot.
                for (int j = 0; j < count; j++)
                {
                    if (!ok[j]) continue;
                    long slot = PyMath.FloorMod(PyMath.FloorDiv(coarse[j] - lBase, lStep), lPoints);
                    if (slot == 0) anchor = coarse[j];
                    records[written++] = ((ulong)slot << 32) | (uint)j;
                }
            }
            else
            {
                var set = new PythonSetOrder();
                for (int j = 0; j < count; j++) set.Add(coarse[j]);
                foreach (long c in set.InOrder())
                {
                    int j = Array.BinarySearch(coarse, 0, count, c);
                    if (!ok[j]) continue;
                    long slot = anchor == 0 ? 0 : PyMath.FloorMod(PyMath.FloorDiv(c - anchor, lStep), lPoints);
                    if (slot == 0) anchor = c;
                    records[written++] = ((ulong)slot << 32) | (uint)j;
                }
                // Last write of each slot wins: walk backwards keeping the first sighting, then order by slot.
                // (Kept records are packed towards the end, never over one not yet visited.)
                var seen = new HashSet<ulong>();
                int w = written;
                for (int r = written - 1; r >= 0; r--)
                    if (seen.Add(records[r] >> 32)) records[--w] = records[r];
                Array.Copy(records, w, records, 0, written - w);
                written -= w;
                Array.Sort(records, 0, written);
            }
            WriteRecords(l, records, written, coarse, aggregates);
            SetBase(lower, anchor);
            return true;
        }

        // Writes (slot << 32 | index) records as one write per run of consecutive slots.
        private void WriteRecords(ArchiveInfo archive, ulong[] records, int count, long[] coarse, double[] aggregates)
        {
            var pack = Scratch.Pack(count * Point.Size);
            int r = 0;
            while (r < count)
            {
                long firstSlot = (long)(records[r] >> 32);
                int n = 0;
                while (r < count && (long)(records[r] >> 32) == firstSlot + n)
                {
                    int j = (int)(uint)records[r];
                    Point.Encode(pack, n * Point.Size, coarse[j], aggregates[j]);
                    n++;
                    r++;
                }
                _file.Write(archive.Offset + firstSlot * Point.Size, pack, 0, n * Point.Size);
            }
        }

        private void EnsureWindow(int slots)
        {
            if (_windowKnown.Length >= slots) return;
            _windowValues = new double[slots];
            _windowKnown = new bool[slots];
        }
    }
}
