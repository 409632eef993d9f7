namespace WhisperPS.Engine.Fill
{
    /// <summary>
    /// The working arrays of one fill, kept per thread so that filling thousands of files in a row allocates
    /// nothing per file: the bytes of the target and of each source (read whole), the change marks of each target
    /// archive, and the first-pass buffer of the write-back. A fill rents the thread's set and returns it when done;
    /// a fill started while another is running on the same thread (from a progress callback) gets a fresh set. Arrays
    /// larger than <see cref="KeepBytes"/> are used once and not kept, so one huge file cannot pin memory.
    /// </summary>
    internal sealed class FillScratch
    {
        private const int KeepBytes = 4 << 20;
        private const int KeepSources = 2; // most fills have one or two replicas; more are allocated per fill

        [System.ThreadStatic] private static FillScratch _idle;

        private byte[] _target;
        private readonly byte[][] _sources = new byte[KeepSources][];
        private bool[][] _changed = new bool[4][];
        private uint[][] _stamps = new uint[4][];
        private byte[] _pass;

        public static FillScratch Rent()
        {
            var s = _idle;
            if (s == null) return new FillScratch();
            _idle = null;
            return s;
        }

        public static void Return(FillScratch scratch) => _idle = scratch;

        /// <summary>The buffer kept for the target (<paramref name="role"/> -1) or a source, or null.</summary>
        public byte[] Kept(int role) => role < 0 ? _target : role < KeepSources ? _sources[role] : null;

        /// <summary>A buffer for the whole target file.</summary>
        public byte[] Target(int length) => Get(ref _target, length, 1);

        /// <summary>A buffer for the whole of source <paramref name="index"/>; each source keeps its own while the fill runs.</summary>
        public byte[] Source(int index, int length)
        {
            if (index >= KeepSources) return new byte[length];
            return Get(ref _sources[index], length, 1);
        }

        /// <summary>Change marks for target archive <paramref name="archive"/>, all false over the first
        /// <paramref name="points"/>, and the first-pass timestamps beside them (not cleared: written before read).</summary>
        public void Marks(int archive, int points, out bool[] changed, out uint[] stamps)
        {
            if (archive >= _changed.Length)
            {
                System.Array.Resize(ref _changed, archive + 1);
                System.Array.Resize(ref _stamps, archive + 1);
            }
            changed = Get(ref _changed[archive], points, 1);
            System.Array.Clear(changed, 0, points);
            stamps = Get(ref _stamps[archive], points, 4);
        }

        /// <summary>The buffer of the write-back's first pass.</summary>
        public byte[] Pass(int length) => Get(ref _pass, length, 1);

        private static T[] Get<T>(ref T[] field, int n, int elementSize)
        {
            var a = field;
            if (a != null && a.Length >= n) return a;
            a = new T[n];
            if ((long)n * elementSize <= KeepBytes) field = a;
            return a;
        }
    }
}
