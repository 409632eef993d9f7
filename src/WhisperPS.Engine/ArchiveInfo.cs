namespace WhisperPS.Engine
{
    /// <summary>One archive as the header describes it: where its ring of slots lives and what it covers.</summary>
    public sealed class ArchiveInfo
    {
        public ArchiveInfo(long offset, long secondsPerPoint, long points)
        {
            Offset = offset;
            SecondsPerPoint = secondsPerPoint;
            Points = points;
        }

        /// <summary>Absolute byte offset of slot 0.</summary>
        public long Offset { get; }

        public long SecondsPerPoint { get; }
        public long Points { get; }
        public long Retention => SecondsPerPoint * Points;

        /// <summary>Bytes of the ring.</summary>
        public long Size => Points * Point.Size;

        public long End => Offset + Size;

        public ArchiveSpec Spec => new ArchiveSpec(SecondsPerPoint, Points);

        /// <summary>
        /// Byte offset of the slot for an aligned interval, given the interval stored in slot 0.
        /// Floor arithmetic makes intervals older than the base wrap correctly.
        /// </summary>
        internal long SlotOffset(long interval, long baseInterval)
        {
            long pointDistance = PyMath.FloorDiv(interval - baseInterval, SecondsPerPoint);
            return Offset + PyMath.FloorMod(pointDistance * Point.Size, Size);
        }

        internal bool SameLayout(ArchiveInfo other)
        {
            return Offset == other.Offset && SecondsPerPoint == other.SecondsPerPoint && Points == other.Points;
        }

        public override string ToString() => Spec.ToString();
    }
}
