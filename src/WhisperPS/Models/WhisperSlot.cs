namespace WhisperPS
{
    /// <summary>
    /// One raw slot of an archive, as stored (whisper-dump). Not a point: its property names deliberately match none
    /// of those Add-WhisperPoint reads (Timestamp, Time, UnixTime, Value), because replaying every archive's slots as
    /// points writes each coarse value again as a fine point and rolls it up a second time (whisper-dump --raw fed to
    /// whisper-update doubles sums). Use Get-WhisperSeries to read points and Merge-WhisperFile to copy them.
    /// </summary>
    public sealed class WhisperSlot
    {
        internal WhisperSlot(string path, int archive, long secondsPerPoint, long index, long storedTime, double storedValue)
        {
            Path = path;
            Archive = archive;
            SecondsPerPoint = secondsPerPoint;
            Index = index;
            StoredTime = storedTime;
            StoredValue = storedValue;
        }

        public string Path { get; }

        /// <summary>Archive index, 0 the finest.</summary>
        public int Archive { get; }

        public long SecondsPerPoint { get; }

        /// <summary>Slot index in file order; slot 0 holds the archive's anchor.</summary>
        public long Index { get; }

        /// <summary>The timestamp stored in the slot, Unix seconds; 0 for a slot never written.</summary>
        public long StoredTime { get; }

        /// <summary>The value stored in the slot, whatever its timestamp (0 in a slot never written).</summary>
        public double StoredValue { get; }

        /// <summary>True for a slot never written (stored time 0).</summary>
        public bool IsEmpty => StoredTime == 0;

        public override string ToString() => Archive + ":" + Index + " " + StoredTime + " " +
            StoredValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }
}
