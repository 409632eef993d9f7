using System;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine
{
    /// <summary>What <see cref="WhisperFile.Clear"/> did to one file.</summary>
    public sealed class ClearResult : RewriteResult
    {
        /// <summary>Points removed, per archive (finest first).</summary>
        public long[] Removed { get; internal set; }

        /// <summary>Rollups recomputed from the finer data that remains, per archive.</summary>
        public long[] Recomputed { get; internal set; }
    }

    public sealed partial class WhisperFile
    {
        /// <summary>
        /// Removes the points whose timestamps lie in [<paramref name="fromTime"/>, <paramref name="untilTime"/>] from
        /// every archive, and makes the rollups agree, rewriting the file in place through <see cref="Rewrite{T}"/>:
        /// <list type="number">
        /// <item>every archive loses its points timestamped in the range;</item>
        /// <item>finest to coarsest, each rollup slot whose interval overlaps the range and lies wholly within the next
        /// finer archive's window at now is recomputed from what that archive still holds, by whisper's propagation
        /// rule (method, xFilesFactor); it becomes empty when nothing or too little remains. Rollups older than the
        /// finer archive's window cannot be recomputed: they are removed when timestamped in the range, else kept;</item>
        /// <item>an archive whose slot 0 (the anchor whisper positions every slot by) was removed is rotated so a
        /// remaining point is its anchor, or emptied if none remains, so whisper and carbon keep reading it right.</item>
        /// </list>
        /// Everything else keeps its bytes.
        /// </summary>
        public static ClearResult Clear(string path, long fromTime, long untilTime, long? now = null, RewriteOptions options = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (untilTime < fromTime)
                throw new InvalidTimeIntervalException("Invalid time interval: the range ends (" + untilTime + ") before it starts (" +
                    fromTime + ")" + WhisperException.FileSuffix(path));
            long n = now ?? Clock.UnixNow();
            var result = new ClearResult();
            return Rewrite(path, current =>
            {
                var header = HeaderOf(current, path);
                var image = (byte[])current.Clone();
                ClearImage(image, header, fromTime, untilTime, n, result);
                return new RewriteImage(image);
            }, options, result);
        }

        private static void ClearImage(byte[] image, WhisperHeader header, long from, long until, long now, ClearResult result)
        {
            var archives = header.Archives;
            int count = archives.Count;
            var removed = new long[count];
            var recomputed = new long[count];
            var bases = new long[count];
            for (int k = 0; k < count; k++) bases[k] = BigEndian.ReadUInt32(image, (int)archives[k].Offset);

            // 1. Points in the range go, in every archive.
            for (int k = 0; k < count; k++)
            {
                var a = archives[k];
                if (bases[k] == 0) continue;
                for (long j = 0; j < a.Points; j++)
                {
                    int off = (int)(a.Offset + j * Point.Size);
                    long ts = BigEndian.ReadUInt32(image, off);
                    if (ts < from || ts > until || !HoldsOwnInterval(a, bases[k], ts, off)) continue;
                    Array.Clear(image, off, Point.Size);
                    removed[k]++;
                }
            }

            // 2. Rollups that the range fed, recomputed from the finer archive as it now is.
            var values = new double[0];
            var known = new bool[0];
            for (int k = 1; k < count; k++)
            {
                var a = archives[k];
                var fine = archives[k - 1];
                long step = a.SecondsPerPoint, fineStep = fine.SecondsPerPoint;
                long fineFirst = PyMath.Align(now - fine.Retention, fineStep) + fineStep;
                int expected = (int)(step / fineStep);
                if (values.Length < expected)
                {
                    values = new double[expected];
                    known = new bool[expected];
                }
                long start = PyMath.Align(Math.Max(from, fineFirst), step);
                long end = Math.Min(until, now);
                for (long t = start; t <= end; t += step)
                {
                    if (t < fineFirst) continue; // the finer archive no longer covers all of this rollup
                    int knownCount = 0;
                    for (int i = 0; i < expected; i++)
                    {
                        long u = t + i * fineStep;
                        known[i] = false;
                        if (bases[k - 1] == 0) continue;
                        int off = (int)fine.SlotOffset(u, bases[k - 1]);
                        if (BigEndian.ReadUInt32(image, off) != u) continue;
                        known[i] = true;
                        values[i] = BigEndian.ReadDouble(image, off + 4);
                        knownCount++;
                    }
                    bool store = knownCount > 0 && (double)knownCount / expected >= header.XFilesFactor;
                    if (bases[k] == 0)
                    {
                        if (!store) continue;
                        bases[k] = t; // an empty archive is anchored at its first point, as whisper does
                    }
                    int slot = (int)a.SlotOffset(t, bases[k]);
                    if (store)
                    {
                        Point.Encode(image, slot, t, Aggregation.Aggregate(header.AggregationMethod, values, known, expected, knownCount));
                        recomputed[k]++;
                    }
                    else if (BigEndian.ReadUInt32(image, slot) == t)
                    {
                        Array.Clear(image, slot, Point.Size);
                        removed[k]++;
                    }
                }
            }

            // 3. Keep every archive anchored: whisper reads an archive whose slot 0 is empty as empty.
            for (int k = 0; k < count; k++)
            {
                var a = archives[k];
                if (bases[k] == 0 || BigEndian.ReadUInt32(image, (int)a.Offset) != 0) continue;
                long keep = -1;
                for (long j = 1; j < a.Points && keep < 0; j++)
                {
                    int off = (int)(a.Offset + j * Point.Size);
                    long ts = BigEndian.ReadUInt32(image, off);
                    if (ts != 0 && HoldsOwnInterval(a, bases[k], ts, off)) keep = j;
                }
                if (keep < 0) Array.Clear(image, (int)a.Offset, (int)a.Size);
                else Rotate(image, (int)a.Offset, (int)a.Size, (int)(keep * Point.Size));
            }
            result.Removed = removed;
            result.Recomputed = recomputed;
        }

        // Whether the slot at `offset` is where an aligned point of this timestamp belongs given the anchor: points
        // elsewhere are debris whisper never reads, left as they are.
        private static bool HoldsOwnInterval(ArchiveInfo a, long baseInterval, long ts, int offset)
        {
            return ts % a.SecondsPerPoint == 0 && a.SlotOffset(ts, baseInterval) == offset;
        }

        private static void Rotate(byte[] image, int offset, int size, int by)
        {
            var copy = new byte[size];
            Buffer.BlockCopy(image, offset + by, copy, 0, size - by);
            Buffer.BlockCopy(image, offset, copy, size - by, by);
            Buffer.BlockCopy(copy, 0, image, offset, size);
        }
    }
}
