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
                // A file outside the root has no metric name: say so rather than leave a silent blank. (A tagged
                // series stored by its hash is under the root; its Metric is empty because carbon keeps only the hash.)
                if (_storageRoot != null && MetricPath.RelativeToRoot(_storageRoot, file.Path) == null)
                    WriteWarning("'" + file.Path + "' is not under the storage root '" + _storageRoot + "'; its Metric is empty.");
                WriteInfo(file.Path, _storageRoot);
            }
        }
    }
}
