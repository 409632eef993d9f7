using System;
using WhisperPS.Engine.Comparison;

namespace WhisperPS
{
    /// <summary>One slot that differs between two files (Compare-WhisperFile).</summary>
    public sealed class WhisperSlotDifference
    {
        internal WhisperSlotDifference(string referencePath, string differencePath, WhisperDifference d)
        {
            ReferencePath = referencePath;
            DifferencePath = differencePath;
            Archive = d.Archive;
            SecondsPerPoint = d.SecondsPerPoint;
            UnixTime = d.Timestamp;
            ReferenceValue = d.ReferenceValue;
            DifferenceValue = d.DifferenceValue;
            Kind = d.Kind;
        }

        public string ReferencePath { get; }
        public string DifferencePath { get; }

        /// <summary>Archive index in the reference file.</summary>
        public int Archive { get; }

        public long SecondsPerPoint { get; }

        /// <summary>The slot's time, at offset +00:00.</summary>
        public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeSeconds(UnixTime);

        public long UnixTime { get; }

        /// <summary>null when the reference file holds no point for the slot.</summary>
        public double? ReferenceValue { get; }

        /// <summary>null when the difference file holds no point for the slot.</summary>
        public double? DifferenceValue { get; }

        /// <summary>Value, OnlyInReference or OnlyInDifference.</summary>
        public DifferenceKind Kind { get; }
    }

    /// <summary>Compare-WhisperFile -Summary: the counts for one resolution both files have.</summary>
    public sealed class WhisperComparisonSummary
    {
        internal WhisperComparisonSummary(string referencePath, string differencePath, ArchiveComparison a)
        {
            ReferencePath = referencePath;
            DifferencePath = differencePath;
            Archive = a.Archive;
            DifferenceArchive = a.DifferenceArchive;
            SecondsPerPoint = a.SecondsPerPoint;
            FromUnixTime = a.FromInterval;
            UntilUnixTime = a.UntilInterval;
            Slots = a.Slots;
            Compared = a.Compared;
            Differences = a.Differences;
            ValueDifferences = a.ValueDifferences;
            OnlyInReference = a.OnlyInReference;
            OnlyInDifference = a.OnlyInDifference;
        }

        public string ReferencePath { get; }
        public string DifferencePath { get; }
        public int Archive { get; }
        public int DifferenceArchive { get; }
        public long SecondsPerPoint { get; }

        /// <summary>First slot compared, Unix seconds.</summary>
        public long FromUnixTime { get; }

        /// <summary>End of the compared slots (exclusive), Unix seconds.</summary>
        public long UntilUnixTime { get; }

        /// <summary>Slots in the compared window.</summary>
        public int Slots { get; }

        /// <summary>Slots with a point in either file (in both, with -IgnoreEmpty): whisper-diff's total.</summary>
        public int Compared { get; }

        public int Differences { get; }
        public int ValueDifferences { get; }
        public int OnlyInReference { get; }
        public int OnlyInDifference { get; }
    }
}
