using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine.Comparison;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Compare-WhisperFile: the slots that differ between a reference file and one or more difference files, every
    /// resolution both have over its whole window (whisper-diff done right). -Summary gives counts per archive, -Quiet
    /// one $true (identical) or $false per difference file. The comparison is the engine's WhisperComparer.
    /// </summary>
    [Cmdlet(VerbsData.Compare, "WhisperFile")]
    [OutputType(typeof(WhisperSlotDifference), typeof(WhisperComparisonSummary), typeof(bool))]
    public sealed class CompareWhisperFileCommand : WhisperCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string ReferencePath { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] DifferencePath { get; set; }

        /// <summary>Only slots after this time. Default: each archive's whole window.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime From { get; set; }

        /// <summary>Only slots up to this time. Default: now.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Until { get; set; }

        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        /// <summary>Skip slots holding a point in one file only (whisper-diff --ignore-empty).</summary>
        [Parameter]
        public SwitchParameter IgnoreEmpty { get; set; }

        /// <summary>One object per compared archive with the counts, instead of the differing slots.</summary>
        [Parameter]
        public SwitchParameter Summary { get; set; }

        /// <summary>Only $true when the files hold the same data, $false when any compared slot differs.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private string _reference;
        private ComparisonOptions _options;

        protected override void BeginProcessing()
        {
            long now = ResolveNow(IsBound(nameof(Now)), Now);
            _options = new ComparisonOptions
            {
                Now = now,
                From = IsBound(nameof(From)) ? From.Resolve(now) : (long?)null,
                Until = IsBound(nameof(Until)) ? Until.Resolve(now) : (long?)null,
                IgnoreEmpty = IgnoreEmpty,
            };
            if (_options.From.HasValue && _options.Until.HasValue && _options.From > _options.Until)
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("-From " + FormatUnix(_options.From.Value) + " is after -Until " + FormatUnix(_options.Until.Value) + "."),
                    ErrorIds.TimeIntervalInvalid, ErrorCategory.InvalidArgument, From));
            var refs = ResolveExistingFiles(new[] { ReferencePath }, false);
            if (refs.Count != 1)
            {
                var ex = refs.Count == 0
                    ? new System.IO.FileNotFoundException("-ReferencePath '" + ReferencePath + "' names no file.", ReferencePath)
                    : (Exception)new ArgumentException("-ReferencePath '" + ReferencePath + "' names " + refs.Count + " files; give one.");
                ThrowTerminatingError(WhisperErrors.Create(ex, refs.Count == 0 ? ErrorIds.FileNotFound : ErrorIds.ReferenceAmbiguous,
                    refs.Count == 0 ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument, ReferencePath));
            }
            _reference = refs[0].Path;
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveExistingFiles(DifferencePath, false))
            {
                ThrowIfStopping();
                var diffs = Summary || Quiet ? null : new List<WhisperSlotDifference>();
                ComparisonResult result;
                try
                {
                    result = WhisperComparer.Compare(_reference, file.Path, _options,
                        diffs == null ? (Action<WhisperDifference>)null : d => diffs.Add(new WhisperSlotDifference(_reference, file.Path, d)));
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Read);
                    continue;
                }
                if (result.ReferenceOnlySteps.Count > 0 || result.DifferenceOnlySteps.Count > 0)
                    WriteWarning("Not compared: resolutions only one file has (reference: " + Steps(result.ReferenceOnlySteps) +
                        "; '" + file.Path + "': " + Steps(result.DifferenceOnlySteps) + ").");
                if (result.Archives.Count == 0 && result.ReferenceOnlySteps.Count + result.DifferenceOnlySteps.Count > 0)
                    WriteWarning("'" + _reference + "' and '" + file.Path + "' share no resolution: nothing was compared.");
                WriteVerbose("'" + file.Path + "': " + result.Differences.ToString(CultureInfo.InvariantCulture) + " differing slot(s).");
                if (Quiet)
                    WriteObject(result.Identical);
                else if (Summary)
                    foreach (var a in result.Archives) WriteObject(new WhisperComparisonSummary(_reference, file.Path, a));
                else
                    foreach (var d in diffs) WriteObject(d);
            }
        }

        private static string Steps(IReadOnlyList<long> steps) =>
            steps.Count == 0 ? "none" : string.Join(", ", System.Linq.Enumerable.Select(steps, s => s.ToString(CultureInfo.InvariantCulture) + "s"));
    }
}
