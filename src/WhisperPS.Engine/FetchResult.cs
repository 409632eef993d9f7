namespace WhisperPS.Engine
{
    /// <summary>
    /// What a fetch returns: the aligned range (from, until], the step, and one value per slot with null for
    /// a slot holding no point of that interval. As in whisper, <see cref="Values"/> can be shorter than
    /// (Until - From) / Step when the range is longer than the archive.
    /// </summary>
    public sealed class FetchResult
    {
        internal FetchResult(ArchiveInfo archive, long fromInterval, long untilInterval, long step, double?[] values)
        {
            Archive = archive;
            FromInterval = fromInterval;
            UntilInterval = untilInterval;
            Step = step;
            Values = values;
        }

        /// <summary>The archive the values came from.</summary>
        public ArchiveInfo Archive { get; }

        /// <summary>Timestamp of the first value.</summary>
        public long FromInterval { get; }

        /// <summary>End of the range, exclusive.</summary>
        public long UntilInterval { get; }

        public long Step { get; }

        public double?[] Values { get; }

        public long TimestampAt(int index) => FromInterval + index * Step;
    }
}
