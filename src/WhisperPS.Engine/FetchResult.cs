using System;

namespace WhisperPS.Engine
{
    /// <summary>
    /// What a fetch returns: the aligned range (from, until], the step, and one value per slot with no value for a
    /// slot holding no point of that interval. As in whisper, <see cref="Count"/> can be smaller than
    /// (Until - From) / Step when the range is longer than the archive.
    /// </summary>
    /// <remarks>
    /// Values and their presence are kept in chunks of plain arrays (9 bytes a slot) rather than one
    /// <c>double?[]</c> (16): every chunk stays below the large-object-heap threshold, where a day of 10-second
    /// slots in one array made each fetch cost a gen-2 collection. <see cref="Values"/> builds the nullable
    /// view on first use; streaming callers use the indexer.
    /// </remarks>
    public sealed class FetchResult
    {
        // 8192 slots a chunk: 64 KB of values, below the 85 KB large-object-heap threshold, so even a year of
        // 10-minute slots costs only short-lived gen-0 allocations.
        private const int ChunkShift = 13;
        private const int ChunkSize = 1 << ChunkShift;
        private const int ChunkMask = ChunkSize - 1;

        private readonly double[][] _values;
        private readonly bool[][] _known;
        private double?[] _nullable;

        internal FetchResult(ArchiveInfo archive, long fromInterval, long untilInterval, long step, int count)
        {
            Archive = archive;
            FromInterval = fromInterval;
            UntilInterval = untilInterval;
            Step = step;
            Count = count;
            int chunks = (int)(((long)count + ChunkMask) >> ChunkShift);
            _values = new double[chunks][];
            _known = new bool[chunks][];
            for (int c = 0; c < chunks; c++)
            {
                int size = Math.Min(ChunkSize, count - (c << ChunkShift));
                _values[c] = new double[size];
                _known[c] = new bool[size];
            }
        }

        /// <summary>The archive the values came from.</summary>
        public ArchiveInfo Archive { get; }

        /// <summary>Timestamp of the first value.</summary>
        public long FromInterval { get; }

        /// <summary>End of the range, exclusive.</summary>
        public long UntilInterval { get; }

        public long Step { get; }

        /// <summary>Number of slots returned.</summary>
        public int Count { get; }

        /// <summary>The value of slot <paramref name="index"/>, or null when the slot holds no point of its interval.</summary>
        public double? this[int index] => TryGetValue(index, out double v) ? v : (double?)null;

        /// <summary>Whether slot <paramref name="index"/> holds a point, and its value.</summary>
        public bool TryGetValue(int index, out double value)
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            value = _values[index >> ChunkShift][index & ChunkMask];
            return _known[index >> ChunkShift][index & ChunkMask];
        }

        /// <summary>All slots as nullable doubles (null = no point), built once on first use.</summary>
        public double?[] Values
        {
            get
            {
                if (_nullable == null)
                {
                    var a = new double?[Count];
                    for (int i = 0; i < a.Length; i++)
                        if (TryGetValue(i, out double v)) a[i] = v;
                    _nullable = a;
                }
                return _nullable;
            }
        }

        public long TimestampAt(int index) => FromInterval + index * Step;

        /// <summary>
        /// Decodes <paramref name="slots"/> raw slots into the values from <paramref name="index"/> on: a slot is
        /// known when it holds <paramref name="expected"/> (advancing by <see cref="Step"/>), as whisper's fetch
        /// keeps only points of their own interval. One chunk at a time, so the inner loop has no lookups.
        /// </summary>
        internal unsafe void Decode(byte* p, int index, int slots, long expected)
        {
            long step = Step;
            while (slots > 0)
            {
                var values = _values[index >> ChunkShift];
                var known = _known[index >> ChunkShift];
                int i = index & ChunkMask;
                int end = Math.Min(values.Length, i + slots);
                slots -= end - i;
                index += end - i;
                fixed (double* v = values)
                fixed (bool* k = known)
                {
                    // A timestamp beyond uint32 never equals a slot's, so no range check is needed.
                    for (; i < end; i++, p += Point.Size, expected += step)
                    {
                        if (BigEndian.ReadUInt32(p) == expected)
                        {
                            v[i] = BigEndian.ReadDouble(p + 4);
                            k[i] = true;
                        }
                    }
                }
            }
        }
    }
}
