using System.Collections.Generic;

namespace WhisperPS.Engine
{
    /// <summary>What an update_many did with its points.</summary>
    public sealed class UpdateResult
    {
        private static readonly IReadOnlyList<Point> None = new Point[0];

        internal UpdateResult(int stored, IReadOnlyList<Point> dropped)
        {
            Stored = stored;
            Dropped = dropped ?? None;
        }

        /// <summary>Points handed to an archive (duplicates within a slot included).</summary>
        public int Stored { get; }

        /// <summary>Points older than the coarsest archive's retention, which whisper drops without a word.</summary>
        public IReadOnlyList<Point> Dropped { get; }
    }
}
