using System;
using System.Collections.Generic;

namespace WhisperPS.Engine
{
    public sealed partial class WhisperFile
    {
        // Reused per open file: propagation windows and their decoded values.
        private byte[] _window = new byte[0];
        private double[] _windowValues = new double[0];
        private bool[] _windowKnown = new bool[0];

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
            CheckTimestamp(t);
            long age = n - t;
            if (!(age < Header.MaxRetention && age >= 0))
                throw new TimestampNotCoveredException("Timestamp not covered by any archives in this database. " +
                    "The point at " + t + " is " + (age < 0 ? -age + " seconds in the future" : age + " seconds old") +
                    "; a single update takes points from now back to " + (Header.MaxRetention - 1) + " seconds ago.");

            var archives = Header.Archives;
            int i = 0;
            while (archives[i].Retention < age) i++;
            var archive = archives[i];
            long interval = PyMath.Align(t, archive.SecondsPerPoint);
            WriteSlot(archive, interval, value);

            var higher = archive;
            for (int k = i + 1; k < archives.Count; k++)
            {
                if (!Propagate(interval, higher, archives[k])) break;
                higher = archives[k];
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
            var list = points as List<Point> ?? new List<Point>(points);
            if (list.Count == 0) return new UpdateResult(0, null);
            foreach (var p in list) CheckTimestamp(p.Timestamp);
            long n = now ?? Clock.UnixNow();

            var newestFirst = SortNewestFirst(list);
            var archives = Header.Archives;
            int archiveIndex = 0;
            var bucket = new List<Point>();
            int stored = 0;
            List<Point> dropped = null;

            for (int i = 0; i < newestFirst.Length; i++)
            {
                var p = newestFirst[i];
                long age = n - p.Timestamp;
                while (archiveIndex < archives.Count && archives[archiveIndex].Retention < age)
                {
                    stored += Flush(archives[archiveIndex], bucket);
                    archiveIndex++;
                }
                if (archiveIndex == archives.Count)
                {
                    dropped = new List<Point>(newestFirst.Length - i);
                    for (int j = i; j < newestFirst.Length; j++) dropped.Add(newestFirst[j]);
                    break;
                }
                bucket.Add(p);
            }
            if (archiveIndex < archives.Count) stored += Flush(archives[archiveIndex], bucket);
            AfterWrite();
            return new UpdateResult(stored, dropped);
        }

        // Writes a bucket (collected newest first) in chronological order, as whisper reverses it.
        private int Flush(ArchiveInfo archive, List<Point> bucket)
        {
            int count = bucket.Count;
            if (count == 0) return 0;
            bucket.Reverse();
            WriteArchive(archive, bucket);
            bucket.Clear();
            return count;
        }

        // Python's list.sort(key=timestamp, reverse=True) is stable: equal timestamps keep their input order.
        private static Point[] SortNewestFirst(List<Point> list)
        {
            var keys = new long[list.Count];
            var order = new int[list.Count];
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
                keys[i] = list[i].Timestamp;
            }
            Array.Sort(order, (a, b) =>
            {
                int c = keys[b].CompareTo(keys[a]);
                return c != 0 ? c : a.CompareTo(b);
            });
            var result = new Point[order.Length];
            for (int i = 0; i < order.Length; i++) result[i] = list[order[i]];
            return result;
        }

        /// <summary>
        /// whisper's __archive_update_many: align the points to the archive's step, keep the last of each run of
        /// equal intervals, write each contiguous run with one write (two if it wraps round the ring end), then
        /// propagate the touched coarse intervals archive by archive.
        /// </summary>
        internal void WriteArchive(ArchiveInfo archive, IReadOnlyList<Point> chronological)
        {
            long step = archive.SecondsPerPoint;
            int count = chronological.Count;
            var intervals = new long[count];
            for (int i = 0; i < count; i++) intervals[i] = PyMath.Align(chronological[i].Timestamp, step);

            // Pack the kept points back to back; runs are (start interval, first byte, bytes).
            var packed = new byte[count * Point.Size];
            var runs = new List<(long Start, int Index, int Length)>();
            int used = 0, runStart = 0;
            bool havePrevious = false;
            long previous = 0;
            for (int i = 0; i < count; i++)
            {
                if (i + 1 < count && intervals[i] == intervals[i + 1]) continue;
                long interval = intervals[i];
                // whisper tests "not previousInterval", so an interval of 0 also continues a run.
                if (havePrevious && previous != 0 && interval != previous + step)
                {
                    runs.Add((previous - step * ((used - runStart) / Point.Size - 1), runStart, used - runStart));
                    runStart = used;
                }
                Point.Encode(packed, used, interval, chronological[i].Value);
                used += Point.Size;
                previous = interval;
                havePrevious = true;
            }
            runs.Add((previous - step * ((used - runStart) / Point.Size - 1), runStart, used - runStart));

            long baseInterval = ReadBaseInterval(archive);
            if (baseInterval == 0) baseInterval = runs[0].Start;
            foreach (var run in runs)
            {
                long offset = archive.SlotOffset(run.Start, baseInterval);
                long beyond = offset + run.Length - archive.End;
                if (beyond > 0)
                {
                    int head = run.Length - (int)beyond;
                    _file.Write(offset, packed, run.Index, head);
                    _file.Write(archive.Offset, packed, run.Index + head, (int)beyond);
                }
                else
                {
                    _file.Write(offset, packed, run.Index, run.Length);
                }
            }

            var higher = archive;
            foreach (var lower in Header.Archives)
            {
                if (lower.SecondsPerPoint <= archive.SecondsPerPoint) continue;
                var set = new PythonSetOrder();
                for (int i = 0; i < count; i++) set.Add(PyMath.Align(intervals[i], lower.SecondsPerPoint));
                bool any = false;
                foreach (long interval in set.InOrder())
                    if (Propagate(interval, higher, lower)) any = true;
                if (!any) break;
                higher = lower;
            }
        }

        /// <summary>
        /// whisper's __propagate: read the finer slots of one coarse interval, and if the known fraction reaches
        /// the xFilesFactor (the stored float32, widened, as Python compares it), write their aggregate to the
        /// coarser archive. Returns whether a value was written.
        /// </summary>
        private bool Propagate(long timestamp, ArchiveInfo higher, ArchiveInfo lower)
        {
            long start = PyMath.Align(timestamp, lower.SecondsPerPoint);
            long higherBase = ReadBaseInterval(higher);
            long firstOffset = higherBase == 0 ? higher.Offset : higher.SlotOffset(start, higherBase);

            int slots = (int)(lower.SecondsPerPoint / higher.SecondsPerPoint);
            int bytes = slots * Point.Size;
            EnsureWindow(slots);
            long relativeFirst = firstOffset - higher.Offset;
            long lastOffset = (relativeFirst + bytes) % higher.Size + higher.Offset;
            if (firstOffset < lastOffset)
            {
                ReadRange(firstOffset, _window, 0, bytes);
            }
            else
            {
                int head = (int)(higher.End - firstOffset);
                ReadRange(firstOffset, _window, 0, head);
                ReadRange(higher.Offset, _window, head, (int)(lastOffset - higher.Offset));
            }

            int known = 0;
            long expected = start;
            for (int i = 0; i < slots; i++, expected += higher.SecondsPerPoint)
            {
                int p = i * Point.Size;
                bool isKnown = BigEndian.ReadUInt32(_window, p) == expected;
                _windowKnown[i] = isKnown;
                if (isKnown)
                {
                    _windowValues[i] = BigEndian.ReadDouble(_window, p + 4);
                    known++;
                }
            }
            if (known == 0) return false;

            double knownPercent = (double)known / slots;
            if (!(knownPercent >= (double)Header.XFilesFactor)) return false;

            double value = Aggregation.Aggregate(Header.AggregationMethod, _windowValues, _windowKnown, slots, known);
            WriteSlot(lower, start, value);
            return true;
        }

        private void EnsureWindow(int slots)
        {
            if (_windowKnown.Length >= slots) return;
            _window = new byte[slots * Point.Size];
            _windowValues = new double[slots];
            _windowKnown = new bool[slots];
        }
    }
}
