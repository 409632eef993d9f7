using System;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Get-WhisperSeries: the points of a time range, one WhisperPoint per slot, file after file, with the same
    /// defaults and archive choice as whisper-fetch.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "WhisperSeries", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(WhisperPoint))]
    public sealed class GetWhisperSeriesCommand : WhisperPointSeriesCmdlet
    {
        /// <summary>Leave out slots without a value: the default; kept so existing scripts still bind.</summary>
        [Parameter]
        public SwitchParameter SkipEmpty { get; set; }

        protected override void BeginProcessing()
        {
            if (IncludeEmpty && SkipEmpty)
            {
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("-IncludeEmpty and -SkipEmpty contradict each other; give one of them."),
                    ErrorIds.ParameterConflict, ErrorCategory.InvalidArgument, null));
            }
            ResolveRange();
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                var result = ReadSeries(file.Path);
                if (result == null) continue;

                for (int i = 0; i < result.Count; i++)
                {
                    double? value = result[i];
                    if (!IncludeEmpty && !value.HasValue) continue;
                    if ((i & 1023) == 0) ThrowIfStopping();
                    WriteObject(new WhisperPoint(file.Path, result.TimestampAt(i), value));
                }
            }
        }
    }
}
