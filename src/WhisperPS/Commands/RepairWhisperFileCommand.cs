using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Repair-WhisperFile: fills the empty slots of each file from one or more replicas (whisper-fill done right).
    /// Only empty slots are written, rollups over them are recomputed, and the file is changed in place under its
    /// lock, so it is safe while carbon writes to it.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Repair, "WhisperFile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(WhisperRepairResult))]
    public sealed class RepairWhisperFileCommand : WhisperRangeCmdlet
    {
        private readonly ThrottledProgress _progress = new ThrottledProgress(0x5751, "Repair-WhisperFile");

        /// <summary>Replicas to take data from, in order of preference; wildcards allowed. Bound by property name
        /// from the pipeline, so a script block can compute each file's replica.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Source { get; set; }

        /// <summary>Everything the file holds, as whisper-fill.</summary>
        internal override long DefaultFrom(long now) => 0;

        protected override void BeginProcessing() => ResolveRange();

        protected override void ProcessRecord()
        {
            var targets = ResolveInputFiles().ToList();
            if (targets.Count == 0) return;
            var sources = ResolveExistingFiles(Source, false);
            bool preview = Previewing();
            foreach (var target in targets)
            {
                ThrowIfStopping();
                var paths = new List<string>();
                foreach (var s in sources)
                {
                    // "-Source /replica/*.wsp" may match the target itself when both are in one folder.
                    if (s.FromWildcard && PathComparer.Equals(System.IO.Path.GetFullPath(s.Path), System.IO.Path.GetFullPath(target.Path)))
                    {
                        WriteVerbose("Skipping source '" + s.Path + "': it is the file being repaired.");
                        continue;
                    }
                    paths.Add(s.Path);
                }
                _progress.Show(this, "Filling '" + target.Path + "'", _progress.Done + " files done");
                try
                {
                    string action = "Fill empty slots from " + string.Join(", ", paths.Select(p => "'" + p + "'"));
                    if (preview)
                    {
                        var dry = WhisperFile.FillGaps(target.Path, paths, RangeFrom, RangeUntil, RangeNow, dryRun: true,
                            cancellationToken: CancellationToken);
                        action = Describe(dry, paths);
                    }
                    if (!ShouldProcess(target.Path, action)) continue;
                    var result = WhisperFile.FillGaps(target.Path, paths, RangeFrom, RangeUntil, RangeNow,
                        cancellationToken: CancellationToken);
                    foreach (var failure in result.SourceFailures) WriteSourceError(failure);
                    _progress.Done++;
                    WriteObject(new WhisperRepairResult(result));
                }
                catch (OperationCanceledException)
                {
                    throw new PipelineStoppedException();
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    string path = ex is CorruptWhisperFileException c && c.Path != null ? c.Path : target.Path;
                    WriteFileError(ex, path, FileAccessIntent.Write);
                }
            }
        }

        protected override void EndProcessing() => _progress.Complete(this);

        // -WhatIf or -Confirm in effect: compute the counts first so the message can say what would be filled.
        private bool Previewing()
        {
            bool Switch(string name) => MyInvocation.BoundParameters.TryGetValue(name, out var v) && LanguagePrimitives.IsTrue(v);
            if (Switch("WhatIf") || Switch("Confirm")) return true;
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf")) return false;
            return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        }

        private static string Describe(FillResult dry, List<string> paths)
        {
            var parts = dry.Archives.Select(a => Retention.Format(new ArchiveSpec(a.SecondsPerPoint, a.Points)) + ": " +
                a.Filled.ToString(CultureInfo.InvariantCulture) + " filled" +
                (a.Recomputed > 0 ? ", " + a.Recomputed.ToString(CultureInfo.InvariantCulture) + " rollups recomputed" : "") +
                (a.StillEmpty > 0 ? ", " + a.StillEmpty.ToString(CultureInfo.InvariantCulture) + " left empty" : ""));
            return "Fill " + dry.Filled.ToString(CultureInfo.InvariantCulture) + " empty slots (" + string.Join("; ", parts) + ") from " +
                (paths.Count == 0 ? "no source" : string.Join(", ", paths.Select(p => "'" + p + "'")));
        }

        private void WriteSourceError(SourceFailure failure)
        {
            if (failure.Error is ArgumentException && !(failure.Error is ArgumentNullException))
            {
                WriteError(WhisperErrors.Create(failure.Error, ErrorIds.RepairSameFile, ErrorCategory.InvalidArgument, failure.Path));
                return;
            }
            WriteFileError(failure.Error, failure.Path, FileAccessIntent.Read);
        }
    }
}
