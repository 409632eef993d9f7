using System;

namespace WhisperPS.Engine
{
    /// <summary>
    /// Per-thread working arrays for the hot paths, so a call costs no allocation proportional to its points and
    /// opening a file per call (as whisper's path API does) does not re-allocate them. Each field belongs to one role;
    /// a method only uses the roles listed next to it and never calls another user of the same role. Arrays larger
    /// than <see cref="KeepBytes"/> are not kept, so one huge call cannot pin memory for the thread's life.
    /// </summary>
    internal static class Scratch
    {
        private const int KeepBytes = 2 << 20;

        [ThreadStatic] private static byte[] _read;      // fetch: raw slots
        [ThreadStatic] private static byte[] _hull;      // propagation: the finer archive's slots for a level
        [ThreadStatic] private static byte[] _pack;      // update_many: packed points of a bucket; propagation: packed writes
        [ThreadStatic] private static long[] _ts;        // update_many: timestamps in chronological order
        [ThreadStatic] private static double[] _values;  // update_many: values in chronological order
        [ThreadStatic] private static ulong[] _keys;     // update_many: sort keys
        [ThreadStatic] private static long[] _aligned;   // write: intervals aligned to the archive step
        [ThreadStatic] private static long[] _coarse;    // propagation: distinct coarse intervals
        [ThreadStatic] private static double[] _agg;     // propagation: aggregate per coarse interval
        [ThreadStatic] private static bool[] _ok;        // propagation: whether that interval propagates
        [ThreadStatic] private static ulong[] _records;  // propagation: (slot << 32 | index) of each write
        [ThreadStatic] private static byte[] _bridge;    // write: runs merged across small gaps
        [ThreadStatic] private static long[] _segOffsets; // write: file offset of each write
        [ThreadStatic] private static int[] _segSpans;   // write: packed index and length of each write, interleaved
        [ThreadStatic] private static long[] _runs;      // write: run start intervals
        [ThreadStatic] private static int[] _runIndex;   // write: run start byte in the packed buffer (and length, interleaved)
        [ThreadStatic] private static byte[] _image;     // resize: the new file's content
        [ThreadStatic] private static byte[] _current;   // rewrite: the file's content, exactly its length
        [ThreadStatic] private static byte[] _record;    // rewrite: the journal record (head, payload, checksum)
        [ThreadStatic] private static long[] _journalRuns; // rewrite: the image's non-zero runs (offset, length)

        public static byte[] Read(int n) => Get(ref _read, n, 1);
        public static byte[] Hull(int n) => Get(ref _hull, n, 1);
        public static byte[] Pack(int n) => Get(ref _pack, n, 1);
        public static long[] Timestamps(int n) => Get(ref _ts, n, 8);
        public static double[] Values(int n) => Get(ref _values, n, 8);
        public static ulong[] Keys(int n) => Get(ref _keys, n, 8);
        public static long[] Aligned(int n) => Get(ref _aligned, n, 8);
        public static long[] Coarse(int n) => Get(ref _coarse, n, 8);
        public static double[] Aggregates(int n) => Get(ref _agg, n, 8);
        public static bool[] Propagates(int n) => Get(ref _ok, n, 1);
        public static ulong[] Records(int n) => Get(ref _records, n, 8);
        public static byte[] Bridge(int n) => Get(ref _bridge, n, 1);
        public static long[] SegmentOffsets(int n) => Get(ref _segOffsets, n, 8);
        public static int[] SegmentSpans(int n) => Get(ref _segSpans, n, 4);
        public static long[] Runs(int n) => Get(ref _runs, n, 8);
        public static int[] RunIndex(int n) => Get(ref _runIndex, n, 4);
        public static byte[] Image(int n) => Get(ref _image, n, 1);
        public static byte[] JournalRecord(int n) => Get(ref _record, n, 1);
        public static long[] JournalRuns(int n) => Get(ref _journalRuns, n, 8);

        /// <summary>An array of exactly <paramref name="n"/> bytes (a rewrite's content, which its computation sees
        /// whole): the same one again while a batch rewrites files of one size.</summary>
        public static byte[] Exact(int n)
        {
            var a = _current;
            if (a != null && a.Length == n) return a;
            a = new byte[n];
            if (n <= KeepBytes) _current = a;
            return a;
        }

        private static T[] Get<T>(ref T[] field, int n, int elementSize)
        {
            var a = field;
            if (a != null && a.Length >= n) return a;
            // Grow geometrically, but never keep more than the limit.
            int keep = KeepBytes / elementSize;
            int size = Math.Max(n, a == null ? 256 : Math.Min(keep, a.Length * 2));
            a = new T[size];
            if (size <= keep) field = a;
            return a;
        }
    }
}
