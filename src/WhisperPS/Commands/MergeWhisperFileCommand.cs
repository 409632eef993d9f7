using System;
using System.IO;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Merge-WhisperFile: copies the known points of each source into the destination, as whisper-merge does.
    /// Both files must have the same archive layout.
    /// </summary>
    [Cmdlet(VerbsData.Merge, "WhisperFile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class MergeWhisperFileCommand : WhisperRangeCmdlet
    {
        private const int ProgressActivityId = 0x5750; // "WP"

        private string _destination;
        private bool _merged;

        /// <summary>The existing file to merge into; taken literally.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        /// <summary>Output the destination's WhisperInfo when done.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>As whisper-merge: everything the source holds.</summary>
        internal override long DefaultFrom(long now) => 0;

        protected override void BeginProcessing()
        {
            // One destination for the whole call: if it is unusable, nothing can be merged.
            _destination = ResolveNewFile(Destination, out var error);
            if (_destination == null) ThrowTerminatingError(error);
            if (!File.Exists(_destination))
                ThrowTerminatingError(WhisperErrors.FileNotFound(_destination, Destination));

            ResolveRange();
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                string source = file.Path;
                if (PathComparer.Equals(System.IO.Path.GetFullPath(source), System.IO.Path.GetFullPath(_destination)))
                {
                    // "Merge-WhisperFile *.wsp -Destination all.wsp" naturally matches all.wsp itself.
                    if (file.FromWildcard)
                    {
                        WriteVerbose("Skipping '" + source + "': it is the destination.");
                        continue;
                    }
                    WriteError(WhisperErrors.Create(new ArgumentException("Cannot merge '" + source + "' into itself."),
                        ErrorIds.MergeSameFile, ErrorCategory.InvalidArgument, source));
                    continue;
                }
                if (!ShouldProcess(_destination, "Merge points from '" + source + "'")) continue;

                string status = "Merging '" + source + "' into '" + _destination + "'";
                try
                {
                    WhisperFile.Merge(source, _destination, RangeFrom, RangeUntil, RangeNow,
                        (done, total) => ReportProgress(status, done, total), CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    throw new PipelineStoppedException();
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    CompleteProgress();
                    // A corrupt file names itself; anything else is about this source's merge.
                    string target = ex is CorruptWhisperFileException c && c.Path != null ? c.Path : source;
                    WriteFileError(ex, target, FileAccessIntent.Write);
                    continue;
                }
                _merged = true;
                WriteVerbose("Merged '" + source + "' into '" + _destination + "'.");
            }
        }

        protected override void EndProcessing()
        {
            CompleteProgress();
            if (PassThru && _merged) WriteInfo(_destination);
        }

        private void ReportProgress(string status, int done, int total)
        {
            var record = new ProgressRecord(ProgressActivityId, "Merge-WhisperFile", status)
            {
                PercentComplete = total == 0 ? 100 : (int)(100L * done / total),
                CurrentOperation = "archive " + done + " of " + total,
            };
            WriteProgress(record);
        }

        private void CompleteProgress()
        {
            WriteProgress(new ProgressRecord(ProgressActivityId, "Merge-WhisperFile", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
