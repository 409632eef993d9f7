using System.Globalization;
using WhisperPS.Engine;

namespace WhisperPS
{
    /// <summary>One archive of a whisper file, as whisper-info lists it.</summary>
    public sealed class WhisperArchiveInfo
    {
        internal WhisperArchiveInfo(int index, ArchiveInfo archive)
        {
            Index = index;
            SecondsPerPoint = archive.SecondsPerPoint;
            Points = archive.Points;
            Retention = archive.Retention;
            Definition = Engine.Retention.Format(archive.Spec);
            Offset = archive.Offset;
            Size = archive.Size;
        }

        /// <summary>0 is the finest archive.</summary>
        public int Index { get; }

        public long SecondsPerPoint { get; }

        public long Points { get; }

        /// <summary>Seconds covered: SecondsPerPoint * Points.</summary>
        public long Retention { get; }

        /// <summary>The archive as a retention definition, e.g. 10s:1d.</summary>
        public string Definition { get; }

        /// <summary>Byte offset of the archive's data in the file.</summary>
        public long Offset { get; }

        /// <summary>Bytes of the archive's data.</summary>
        public long Size { get; }

        public override string ToString() => Definition;
    }
}
