namespace WhisperPS.Engine.Validation
{
    /// <summary>How bad a finding is.</summary>
    public enum FindingSeverity
    {
        /// <summary>Worth knowing; the file reads and writes correctly.</summary>
        Information = 0,

        /// <summary>The file works with whisper, but something is off: points that no read shows, rollups that do
        /// not match their data, a method another reader does not support, bytes after the data.</summary>
        Warning = 1,

        /// <summary>The file is damaged: whisper or WhisperPS refuse it, or would read or write wrong bytes.</summary>
        Error = 2,
    }

    /// <summary>One problem found in a file. <see cref="Code"/> is stable: scripts may match on it.</summary>
    public sealed class WhisperFinding
    {
        public WhisperFinding(string code, FindingSeverity severity, int? archive, long? slot, string message)
        {
            Code = code;
            Severity = severity;
            Archive = archive;
            Slot = slot;
            Message = message;
        }

        public string Code { get; }
        public FindingSeverity Severity { get; }

        /// <summary>Archive index (0 the finest), when the finding concerns one archive.</summary>
        public int? Archive { get; }

        /// <summary>Slot index inside the archive (file order), when the finding concerns one slot.</summary>
        public long? Slot { get; }

        public string Message { get; }

        public override string ToString() => Severity + " " + Code + (Archive.HasValue ? " archive " + Archive : "") +
            (Slot.HasValue ? " slot " + Slot : "") + ": " + Message;
    }

    /// <summary>The stable codes of <see cref="WhisperFinding"/>.</summary>
    public static class FindingCodes
    {
        /// <summary>Shorter than the 16-byte metadata block (Error).</summary>
        public const string FileTooShort = "FileTooShort";
        /// <summary>Aggregation type not one of whisper's codes 1 to 8 (Error).</summary>
        public const string AggregationUnknown = "AggregationUnknown";
        /// <summary>Aggregation type 6 to 8 (avg_zero, absmax, absmin): whisper 1.1 reads it, go-carbon's
        /// go-whisper does not (6 means "first" there, 7 "mix" and 8 "percentile" fail its rollups) (Warning).</summary>
        public const string AggregationNotGoCarbon = "AggregationNotGoCarbon";
        /// <summary>xFilesFactor NaN or outside 0..1 (Error).</summary>
        public const string XFilesFactorInvalid = "XFilesFactorInvalid";
        /// <summary>The header declares no archives (Error).</summary>
        public const string ArchiveCountZero = "ArchiveCountZero";
        /// <summary>More archives than the file could hold, each with at least one slot (Error).</summary>
        public const string ArchiveCountExcessive = "ArchiveCountExcessive";
        /// <summary>An archive with 0 seconds per point (Error).</summary>
        public const string ArchiveStepZero = "ArchiveStepZero";
        /// <summary>An archive with 0 points (Error).</summary>
        public const string ArchivePointsZero = "ArchivePointsZero";
        /// <summary>An archive offset that is not where the previous one ends (into another archive, into the
        /// header, or leaving a gap) (Error).</summary>
        public const string ArchiveOffsetMismatch = "ArchiveOffsetMismatch";
        /// <summary>Archives not sorted finest first, or two with the same step (Error).</summary>
        public const string ArchiveOrder = "ArchiveOrder";
        /// <summary>A step that the previous archive's step does not divide (Error).</summary>
        public const string ArchiveStepNotMultiple = "ArchiveStepNotMultiple";
        /// <summary>An archive whose retention is not longer than the previous one's (Error).</summary>
        public const string ArchiveRetentionNotLonger = "ArchiveRetentionNotLonger";
        /// <summary>An archive with fewer points than one step of the next archive consolidates (Error).</summary>
        public const string ArchiveTooFewPoints = "ArchiveTooFewPoints";
        /// <summary>maxRetention is not the largest archive retention (Error).</summary>
        public const string MaxRetentionMismatch = "MaxRetentionMismatch";
        /// <summary>The file is shorter than its header says (Error).</summary>
        public const string FileTruncated = "FileTruncated";
        /// <summary>The file is longer than its header says: whisper ignores the extra bytes (Warning).</summary>
        public const string FileTooLong = "FileTooLong";
        /// <summary>A slot timestamp not a multiple of the archive's step: no read returns it (Error).</summary>
        public const string SlotMisaligned = "SlotMisaligned";
        /// <summary>A slot whose timestamp belongs at another ring position given slot 0's anchor: no read returns
        /// it, and the slot where it belongs may be missing its point (Error).</summary>
        public const string SlotOutOfPlace = "SlotOutOfPlace";
        /// <summary>Points in an archive whose slot 0 is empty: whisper treats the archive as empty (Error).</summary>
        public const string SlotWithoutAnchor = "SlotWithoutAnchor";
        /// <summary>A point dated after now but less than one retention after the archive's newest point up to now:
        /// stored, invisible to every read until then (Warning).</summary>
        public const string SlotInFuture = "SlotInFuture";
        /// <summary>A point dated after now and a whole retention or more after the archive's newest point up to now:
        /// it sits in a lap the ring has not reached (a clock error or damage) (Error).</summary>
        public const string SlotFutureLap = "SlotFutureLap";
        /// <summary>-Rollups: a coarse point differs from the aggregate of the finer points it was computed from (Warning).</summary>
        public const string RollupMismatch = "RollupMismatch";
        /// <summary>-Rollups: the finer points meet xFilesFactor but the coarse slot holds no point (Warning).</summary>
        public const string RollupMissing = "RollupMissing";
        /// <summary>-Rollups: a coarse point whose finer points do not meet xFilesFactor, so whisper would not have
        /// written it (Warning).</summary>
        public const string RollupUnexpected = "RollupUnexpected";
    }
}
