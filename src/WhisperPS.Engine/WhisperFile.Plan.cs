namespace WhisperPS.Engine
{
    public sealed partial class WhisperFile
    {
        /// <summary>
        /// The archive <see cref="Fetch"/> reads for a range starting at <paramref name="fromTime"/>: the finest whose
        /// retention reaches back to it (from clamped to the file's retention), or the coarsest. Lets a caller read one
        /// long range in windows that all use the archive a single fetch would.
        /// </summary>
        public int ArchiveIndexFor(long fromTime, long now)
        {
            long oldest = now - Header.MaxRetention;
            return SelectArchive(now - (fromTime < oldest ? oldest : fromTime), null);
        }
    }
}
