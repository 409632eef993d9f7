using System;
using System.Globalization;

namespace WhisperPS
{
    /// <summary>
    /// One slot of a series. The property order is the CSV column order and never changes: Path, Timestamp,
    /// UnixTime, Value. Timestamp is a DateTimeOffset at +00:00 so that Export-Csv and ConvertTo-Json write its
    /// zone in every culture (a DateTime would be written without it and read back as local time); UnixTime reads
    /// back exactly on any machine (Add-WhisperPoint prefers it).
    /// </summary>
    public sealed class WhisperPoint : IComparable<WhisperPoint>, IComparable
    {
        public WhisperPoint(string path, long unixTime, double? value)
        {
            Path = path;
            UnixTime = unixTime;
            Value = value;
        }

        /// <summary>Full filesystem path of the file the point belongs to.</summary>
        public string Path { get; }

        /// <summary>The slot's time, at offset +00:00.</summary>
        public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeSeconds(UnixTime);

        /// <summary>The slot's time in Unix seconds, as whisper stores it.</summary>
        public long UnixTime { get; }

        /// <summary>The value; null for an empty slot.</summary>
        public double? Value { get; }

        /// <summary>Orders by time, then by path.</summary>
        public int CompareTo(WhisperPoint other)
        {
            if (other == null) return 1;
            int c = UnixTime.CompareTo(other.UnixTime);
            return c != 0 ? c : string.CompareOrdinal(Path, other.Path);
        }

        int IComparable.CompareTo(object obj)
        {
            if (obj != null && !(obj is WhisperPoint))
                throw new ArgumentException("Object must be of type WhisperPoint.", nameof(obj));
            return CompareTo((WhisperPoint)obj);
        }

        public override string ToString()
        {
            return Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + " " +
                   (Value.HasValue ? Value.Value.ToString("R", CultureInfo.InvariantCulture) : "None");
        }
    }
}
