namespace WhisperPS.Engine
{
    /// <summary>A timestamped value: what callers write and what a slot holds (12 bytes on disk).</summary>
    public readonly struct Point
    {
        /// <summary>Bytes per slot: uint32 timestamp + float64 value.</summary>
        public const int Size = 12;

        public Point(long timestamp, double value)
        {
            Timestamp = timestamp;
            Value = value;
        }

        /// <summary>Unix seconds.</summary>
        public long Timestamp { get; }

        public double Value { get; }

        public override string ToString() => Timestamp + ":" + Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        internal static void Encode(byte[] buffer, int index, long timestamp, double value)
        {
            BigEndian.WriteUInt32(buffer, index, (uint)timestamp);
            BigEndian.WriteDouble(buffer, index + 4, value);
        }
    }
}
