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
    public sealed class MergeWhisperFileCommand : WhisperCmdlet
    {
        private const int ProgressActivityId = 0x5750; // "WP"

        private string _destination;
        private long _now;
        private long? _from;
        private long? _until;
        private bool _merged;

        /// <summary>Source files.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>The existing file to merge into; taken literally.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; }

        /// <summary>Merge points after this time; default: everything the source holds.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime From { get; set; }

        /// <summary>Merge points up to this time; default now.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Until { get; set; }

        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        /// <summary>Output the destination's WhisperInfo when done.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            // One destination for the whole call: if it is unusable, nothing can be merged.
            _destination = ResolveNewFile(Destination, out var error);
            if (_destination == null) ThrowTerminatingError(error);
            if (!File.Exists(_destination))
                ThrowTerminatingError(WhisperErrors.FileNotFound(_destination, Destination));

            _now = ResolveNow(IsBound(nameof(Now)), Now);
            if (IsBound(nameof(From))) _from = From.Resolve(_now);
            if (IsBound(nameof(Until))) _until = Until.Resolve(_now);
            long from = _from ?? 0, until = _until ?? _now;
            if (from > until)
            {
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("-From " + FormatUnix(from) + " is after -Until " + FormatUnix(until) + "."),
                    ErrorIds.TimeIntervalInvalid, ErrorCategory.InvalidArgument, From));
            }
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var file in ResolveExistingFiles(literal ? LiteralPath : Path, literal))
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
                    WhisperFile.Merge(source, _destination, _from, _until, _now,
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
            if (!PassThru || !_merged) return;
            WhisperInfo info;
            try
            {
                info = WhisperInfo.Read(_destination);
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                WriteFileError(ex, _destination, FileAccessIntent.Read);
                return;
            }
            WriteObject(info);
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
