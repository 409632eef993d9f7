using System;
using System.Diagnostics;
using System.Management.Automation;
using WhisperPS.Engine.Validation;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Test-WhisperFile: checks whisper files far beyond whisper's header read (find-corrupt-whisper-files), one
    /// WhisperFileTest per file, or $true/$false with -Quiet. The checks are the engine's WhisperValidator.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "WhisperFile", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(WhisperFileTest), typeof(bool))]
    public sealed class TestWhisperFileCommand : WhisperFileInputCmdlet
    {
        /// <summary>Also check each coarse point against the finer points it was computed from.</summary>
        [Parameter]
        public SwitchParameter Rollups { get; set; }

        /// <summary>The time "future" is measured from (points after it are reported). Default: the clock.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        /// <summary>Return only $true (no Error finding) or $false per file, as Test-Path does.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private ValidationOptions _options;
        private int _checked;
        private readonly Stopwatch _progressClock = Stopwatch.StartNew();

        protected override void BeginProcessing()
        {
            _options = new ValidationOptions { Now = ResolveNow(IsBound(nameof(Now)), Now), Rollups = Rollups };
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                ValidationResult result;
                try
                {
                    result = WhisperValidator.Validate(file.Path, _options);
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Read);
                    continue;
                }
                _checked++;
                if (_progressClock.ElapsedMilliseconds > 500)
                {
                    _progressClock.Restart();
                    WriteProgress(new ProgressRecord(1, "Test-WhisperFile", "Checked " + _checked + " file(s)") { CurrentOperation = file.Path });
                }
                if (!result.IsValid)
                    WriteVerbose("'" + file.Path + "' is damaged: " + string.Join("; ", result.Findings));
                if (Quiet) WriteObject(result.IsValid);
                else WriteObject(new WhisperFileTest(result));
            }
        }

        protected override void EndProcessing()
        {
            if (_checked > 0)
                WriteProgress(new ProgressRecord(1, "Test-WhisperFile", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
