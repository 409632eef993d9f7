using System;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Get-WhisperSeries: the points of a time range, one WhisperPoint per slot, file after file, with the same
    /// defaults and archive choice as whisper-fetch.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "WhisperSeries", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(WhisperPoint))]
    public sealed class GetWhisperSeriesCommand : WhisperFileInputCmdlet
    {
        private long _now;
        private long _from;
        private long _until;

        /// <summary>Start of the range (exclusive, as in whisper); default 24 hours before now.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime From { get; set; }

        /// <summary>End of the range; default now.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Until { get; set; }

        /// <summary>What "now" is for the retention window and relative times; default the clock.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        /// <summary>Read this archive (0 = finest) instead of the one whisper would choose.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Archive { get; set; }

        /// <summary>Leave out slots without a value.</summary>
        [Parameter]
        public SwitchParameter SkipEmpty { get; set; }

        protected override void BeginProcessing()
        {
            _now = ResolveNow(IsBound(nameof(Now)), Now);
            _from = IsBound(nameof(From)) ? From.Resolve(_now) : _now - 86400;
            _until = IsBound(nameof(Until)) ? Until.Resolve(_now) : _now;
            if (_from > _until)
            {
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("-From " + FormatUnix(_from) + " is after -Until " + FormatUnix(_until) + "."),
                    ErrorIds.TimeIntervalInvalid, ErrorCategory.InvalidArgument, From));
            }
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                FetchResult result;
                try
                {
                    result = Fetch(file.Path);
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Read);
                    continue;
                }
                if (result == null) continue;

                for (int i = 0; i < result.Count; i++)
                {
                    double? value = result[i];
                    if (SkipEmpty && !value.HasValue) continue;
                    if ((i & 1023) == 0) ThrowIfStopping();
                    WriteObject(new WhisperPoint(file.Path, result.TimestampAt(i), value));
                }
            }
        }

        // Reads the whole range and closes the file before anything is written to the pipeline, so a slow
        // consumer never holds the file's lock.
        private FetchResult Fetch(string path)
        {
            using (var f = WhisperFile.Open(path, FileOpenMode.Read))
            {
                long from = _from;
                long? secondsPerPoint = null;
                if (IsBound(nameof(Archive)))
                {
                    var archives = f.Header.Archives;
                    if (Archive >= archives.Count)
                    {
                        WriteError(WhisperErrors.Create(
                            new ArgumentOutOfRangeException(nameof(Archive), Archive, "'" + path + "' has " + archives.Count +
                                " archive(s); -Archive must be between 0 and " + (archives.Count - 1) + "."),
                            ErrorIds.ArchiveInvalid, ErrorCategory.InvalidArgument, path));
                        return null;
                    }
                    var archive = archives[Archive];
                    // Clamp to what this archive holds, so every slot returned is a real read of it.
                    from = Math.Max(from, _now - archive.Retention);
                    secondsPerPoint = archive.SecondsPerPoint;
                    if (from > _until)
                    {
                        WriteVerbose("'" + path + "': the range ends before archive " + Archive + "'s retention begins; no points.");
                        return null;
                    }
                }
                WriteVerbose("Fetching '" + path + "' from " + FormatUnix(from) + " until " + FormatUnix(_until) +
                             " (now " + FormatUnix(_now) + ").");
                var result = f.Fetch(from, _until, _now, secondsPerPoint);
                if (result == null)
                    WriteVerbose("'" + path + "': the range is outside the file's retention; no points.");
                else
                    WriteVerbose("'" + path + "': " + result.Count.ToString(CultureInfo.InvariantCulture) +
                                 " slot(s) of " + result.Step.ToString(CultureInfo.InvariantCulture) + "s.");
                return result;
            }
        }
    }
}
