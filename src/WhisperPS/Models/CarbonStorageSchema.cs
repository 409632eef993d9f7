using System.Linq;
using WhisperPS.Engine;
using WhisperPS.Engine.Carbon;

namespace WhisperPS
{
    /// <summary>What carbon-cache creates for one metric: Get-CarbonStorageSchema's output.</summary>
    public sealed class CarbonStorageSchema
    {
        internal CarbonStorageSchema(CarbonStorageDecision d)
        {
            Metric = d.Metric;
            Retention = d.Archives.Select(a => Engine.Retention.Format(a)).ToArray();
            AggregationMethod = d.AggregationMethod;
            XFilesFactor = d.XFilesFactor;
            SchemaSection = d.Schema.Name;
            AggregationSection = d.AggregationRule.Name;
            Path = d.RelativePath;
            NormalizedMetric = d.NormalizedMetric;
            Archives = d.Archives.ToArray();
        }

        /// <summary>The name as given (as sent to carbon).</summary>
        public string Metric { get; }

        /// <summary>The archives finest first, as the file holds them, in the form -Retention takes.</summary>
        public string[] Retention { get; }

        public AggregationMethod AggregationMethod { get; }

        /// <summary>As configured; the file stores it as a 32-bit float.</summary>
        public double XFilesFactor { get; }

        /// <summary>The storage-schemas.conf section that matched; null: none did, carbon's 60:10080 fallback.</summary>
        public string SchemaSection { get; }

        /// <summary>The storage-aggregation.conf section that matched; null: none did, whisper's defaults.</summary>
        public string AggregationSection { get; }

        /// <summary>The file's path relative to the storage root (LOCAL_DATA_DIR), with '/' separators.</summary>
        public string Path { get; }

        /// <summary>The name carbon stores and matches against: tags sorted, leading '~' dropped.</summary>
        public string NormalizedMetric { get; }

        public ArchiveSpec[] Archives { get; }

        public override string ToString() => Metric;
    }

    /// <summary>A whisper file whose header differs from what carbon's configuration says: Test-WhisperSchema's
    /// output. Retention, AggregationMethod and XFilesFactor are the expected values (what Resize-WhisperFile and
    /// Set-WhisperAggregation take); the Current* properties are the file's.</summary>
    public sealed class WhisperSchemaMismatch
    {
        internal WhisperSchemaMismatch(string path, string metric, CarbonStorageDecision d, WhisperHeader h, string[] differences)
        {
            Path = path;
            Metric = metric;
            Differences = differences;
            Retention = d.Archives.Select(a => Engine.Retention.Format(a)).ToArray();
            AggregationMethod = d.AggregationMethod;
            XFilesFactor = d.XFilesFactor;
            CurrentRetention = h.Archives.Select(a => Engine.Retention.Format(a.Spec)).ToArray();
            CurrentAggregationMethod = h.AggregationMethod;
            CurrentXFilesFactor = h.XFilesFactor;
            SchemaSection = d.Schema.Name;
            AggregationSection = d.AggregationRule.Name;
        }

        /// <summary>Full path of the file.</summary>
        public string Path { get; }

        /// <summary>The metric the file holds, from its path under the storage root.</summary>
        public string Metric { get; }

        /// <summary>Which of Retention, AggregationMethod and XFilesFactor differ.</summary>
        public string[] Differences { get; }

        public string[] Retention { get; }
        public AggregationMethod AggregationMethod { get; }
        public double XFilesFactor { get; }
        public string[] CurrentRetention { get; }
        public AggregationMethod CurrentAggregationMethod { get; }
        public float CurrentXFilesFactor { get; }
        public string SchemaSection { get; }
        public string AggregationSection { get; }

        public override string ToString() => Path;
    }
}
