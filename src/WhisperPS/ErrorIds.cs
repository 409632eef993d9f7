namespace WhisperPS
{
    /// <summary>
    /// The stable ErrorIds of WhisperPS. Scripts match on them ($_.FullyQualifiedErrorId is
    /// "&lt;Id&gt;,WhisperPS.Commands.&lt;Class&gt;"), so they never change once released.
    /// </summary>
    public static class ErrorIds
    {
        /// <summary>A named file does not exist (ObjectNotFound).</summary>
        public const string FileNotFound = "WhisperFileNotFound";


        /// <summary>The file is not a valid whisper file (InvalidData).</summary>
        public const string FileCorrupt = "WhisperFileCorrupt";


        /// <summary>New-WhisperFile without -Force on an existing file (ResourceExists).</summary>
        public const string FileExists = "WhisperFileExists";


        /// <summary>The path belongs to a provider other than the FileSystem (InvalidArgument).</summary>
        public const string PathNotFileSystem = "WhisperPathNotFileSystem";


        /// <summary>A retention definition or archive list whisper would refuse (InvalidArgument).</summary>
        public const string RetentionInvalid = "WhisperRetentionInvalid";


        /// <summary>Merge between files whose archive layouts differ (InvalidData).</summary>
        public const string ArchiveMismatch = "WhisperArchiveMismatch";


        /// <summary>An -Archive index the file does not have (InvalidArgument).</summary>
        public const string ArchiveInvalid = "WhisperArchiveInvalid";


        /// <summary>A point older than the file's retention, which whisper drops (InvalidData).</summary>
        public const string PointNotCovered = "WhisperPointNotCovered";


        /// <summary>A timestamp outside whisper's uint32 range, 1970 to 2106 (InvalidArgument).</summary>
        public const string TimestampInvalid = "WhisperTimestampInvalid";


        /// <summary>A value that is not a number (InvalidArgument).</summary>
        public const string ValueInvalid = "WhisperValueInvalid";


        /// <summary>-From after -Until (InvalidArgument).</summary>
        public const string TimeIntervalInvalid = "WhisperTimeIntervalInvalid";


        /// <summary>Set-WhisperAggregation with neither -AggregationMethod nor -XFilesFactor (InvalidArgument).</summary>
        public const string AggregationMissing = "WhisperAggregationMissing";


        /// <summary>An xFilesFactor outside 0..1 (InvalidArgument).</summary>
        public const string XFilesFactorInvalid = "WhisperXFilesFactorInvalid";


        /// <summary>The operating system refused access (PermissionDenied).</summary>
        public const string AccessDenied = "WhisperAccessDenied";


        /// <summary>An I/O error while reading (ReadError).</summary>
        public const string ReadError = "WhisperReadError";


        /// <summary>An I/O error while writing (WriteError).</summary>
        public const string WriteError = "WhisperWriteError";


        /// <summary>Merge-WhisperFile asked to merge the destination into itself (InvalidArgument).
        /// Not in the original contract list: added because the engine refuses it.</summary>
        public const string MergeSameFile = "WhisperMergeSameFile";


        /// <summary>Two switches that contradict each other, e.g. -IncludeEmpty with -SkipEmpty (InvalidArgument).</summary>
        public const string ParameterConflict = "WhisperParameterConflict";


        /// <summary>A piped record with no time property holding a value (InvalidArgument). Never stored at "now".</summary>
        public const string TimestampMissing = "WhisperTimestampMissing";


        /// <summary>A file's lock was not granted within -LockTimeout (ResourceBusy).</summary>
        public const string LockTimeout = "WhisperLockTimeout";

        /// <summary>A carbon.conf, carbon-c-relay config or carbonate.conf gives no usable hash ring (InvalidData).</summary>
        public const string CarbonConfigInvalid = "CarbonConfigInvalid";


        /// <summary>The destinations or hash settings do not make a ring (InvalidArgument).</summary>
        public const string CarbonRingInvalid = "CarbonRingInvalid";


        /// <summary>A point has no metric name, value or timestamp to send (InvalidData).</summary>
        public const string CarbonPointInvalid = "CarbonPointInvalid";


        /// <summary>Points could not be delivered to carbon; the error's target lists them (ConnectionError).</summary>
        public const string CarbonSendFailed = "CarbonSendFailed";

        /// <summary>Repair-WhisperFile given the file being repaired as one of its sources (InvalidArgument).</summary>
        public const string RepairSameFile = "WhisperRepairSameFile";

        /// <summary>Compare-WhisperFile -ReferencePath names more than one file (InvalidArgument).</summary>
        public const string ReferenceAmbiguous = "WhisperReferenceAmbiguous";

        /// <summary>storage-schemas.conf or storage-aggregation.conf that carbon-cache would refuse to start with, or a
        /// pattern construct WhisperPS cannot follow faithfully (InvalidData; the target is the file).</summary>
        public const string CarbonConfigurationInvalid = "CarbonConfigurationInvalid";

        /// <summary>Export-WhisperSeries -Append to a file whose header names columns the export does not have
        /// (InvalidData); -Force appends anyway, leaving those columns empty, as Export-Csv -Append -Force does.</summary>
        public const string ExportColumnsMismatch = "WhisperExportColumnsMismatch";


        /// <summary>Test-CarbonCluster / Sync-CarbonCluster: a node's storage root is missing or unreadable (ObjectNotFound).</summary>
        public const string CarbonStorageRootInvalid = "CarbonStorageRootInvalid";


        /// <summary>Sync-CarbonCluster could not copy, fill, verify or remove one copy (WriteError); the step is the target.</summary>
        public const string CarbonSyncFailed = "CarbonSyncFailed";

    
        /// <summary>Export-WhisperChart: no output file, or one whose extension is not .svg, .html or .htm (InvalidArgument).</summary>
        public const string ChartOutputInvalid = "WhisperChartOutputInvalid";

    }
}
