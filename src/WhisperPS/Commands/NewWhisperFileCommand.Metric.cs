using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>New-WhisperFile -Metric: the file carbon-cache 1.1.7 would create for a metric, at carbon's path
    /// under the storage root, with the archives, method and xFilesFactor its storage configuration gives.</summary>
    public sealed partial class NewWhisperFileCommand
    {
        internal const string MetricSet = "Metric";

        private CarbonStorageConfiguration _carbon;
        private string _storageRoot;

        /// <summary>Metric names as sent to carbon; the file goes where carbon puts it.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MetricSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Metric { get; set; }

        /// <summary>carbon's LOCAL_DATA_DIR.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MetricSet)]
        [ValidateNotNullOrEmpty]
        public string StorageRoot { get; set; }

        /// <summary>carbon's CONF_DIR, with storage-schemas.conf and storage-aggregation.conf.</summary>
        [Parameter(Mandatory = true, ParameterSetName = MetricSet)]
        [ValidateNotNullOrEmpty]
        public string ConfigPath { get; set; }

        private void BeginMetrics()
        {
            // The configuration decides these; silently preferring one over the other would hide a mistake.
            foreach (string p in new[] { nameof(AggregationMethod), nameof(XFilesFactor) })
                if (IsBound(p))
                    ThrowTerminatingError(WhisperErrors.Create(new ArgumentException("-" + p + " cannot be used with -Metric: carbon's storage " +
                        "configuration decides it (see Get-CarbonStorageSchema)."), "WhisperParameterConflict", ErrorCategory.InvalidArgument, p));
            _carbon = CarbonConfiguration.Load(this, ConfigPath);
            _storageRoot = CarbonConfiguration.ResolveFolder(this, StorageRoot);
        }

        private void ProcessMetrics()
        {
            foreach (string metric in Metric)
            {
                ThrowIfStopping();
                if (string.IsNullOrEmpty(metric)) continue;
                var decision = _carbon.Resolve(metric);
                string path = MetricPath.ToAbsolutePath(_storageRoot, metric);
                bool exists = File.Exists(path) || Directory.Exists(path);
                if (exists && !Force)
                {
                    WriteError(WhisperErrors.Create(new WhisperFileExistsException(path), ErrorIds.FileExists, ErrorCategory.ResourceExists, path));
                    continue;
                }
                var parts = new List<string>();
                foreach (var a in decision.Archives) parts.Add(Engine.Retention.Format(a));
                string action = (exists ? "Overwrite whisper file" : "Create whisper file") + " for " + metric + " (" + string.Join(",", parts) + ", " +
                                Aggregation.ToWhisperName(decision.AggregationMethod) + ", xFilesFactor " +
                                decision.XFilesFactor.ToString("R", CultureInfo.InvariantCulture) + "; schema " + (decision.Schema.Name ?? "carbon's default") + ")";
                if (!ShouldProcess(path, action)) continue;
                WhisperInfo info;
                try
                {
                    // carbon creates the folders as needed (os.makedirs)
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path));
                    WhisperFile.Create(path, decision.Archives, decision.XFilesFactor, decision.AggregationMethod,
                        new CreateOptions { Sparse = Sparse, Preallocate = Preallocate, Overwrite = Force });
                    info = WhisperInfo.Read(path, MetricPath.FromAbsolutePath(_storageRoot, path));
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, path, FileAccessIntent.Write);
                    continue;
                }
                WriteVerbose(action.Replace("Create whisper file", "Created").Replace("Overwrite whisper file", "Overwrote") + ": '" + path + "'.");
                WriteObject(info);
            }
        }
    }
}
