using System.Management.Automation;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>Get-WhisperInfo: the header, archives and size of whisper files, one object per file.</summary>
    [Cmdlet(VerbsCommon.Get, "WhisperInfo", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class GetWhisperInfoCommand : WhisperFileInputCmdlet
    {
        private string _storageRoot;

        /// <summary>carbon's storage root (LOCAL_DATA_DIR): each file's Metric is named from its path under it.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string StorageRoot { get; set; }

        protected override void BeginProcessing()
        {
            if (StorageRoot != null) _storageRoot = CarbonConfiguration.ResolveFolder(this, StorageRoot);
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                WriteVerbose("Reading the header of '" + file.Path + "'.");
                string metric = null;
                if (_storageRoot != null)
                {
                    // A file outside the root has no metric name: say so rather than leave a silent blank. (A tagged
                    // series stored by its hash is under the root; its Metric is empty: carbon keeps only the hash.)
                    string relative = MetricPath.RelativeToRoot(_storageRoot, file.Path);
                    if (relative == null)
                        WriteWarning("'" + file.Path + "' is not under the storage root '" + _storageRoot + "'; its Metric is empty.");
                    else
                        metric = MetricPath.FromRelativePath(relative);
                }
                WriteInfo(file.Path, metric);
            }
        }
    }
}
