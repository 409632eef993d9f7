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
    public sealed class GetWhisperSeriesCommand : WhisperRangeCmdlet
    {

        /// <summary>Read this archive (0 = finest) instead of the one whisper would choose.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Archive { get; set; }

        /// <summary>
        /// Also emit slots without a value (Value $null). Off by default, so that the obvious
        /// <c>Get-WhisperSeries | Measure-Object Value -Average</c> is not skewed by empty slots counted as 0.
        /// </summary>
        [Parameter]
        public SwitchParameter IncludeEmpty { get; set; }

        /// <summary>How long to wait for each file's lock (held by a writer such as carbon-cache) before failing
        /// with WhisperLockTimeout; default: as long as it takes.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public double LockTimeout { get; set; }

        /// <summary>Leave out slots without a value: the default; kept so existing scripts still bind.</summary>
        [Parameter]
        public SwitchParameter SkipEmpty { get; set; }

        /// <summary>As whisper-fetch: the last 24 hours. The start is exclusive, as in whisper.</summary>
        internal override long DefaultFrom(long now) => now - 86400;

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
                    if (!IncludeEmpty && !value.HasValue) continue;
                    if ((i & 1023) == 0) ThrowIfStopping();
                    WriteObject(new WhisperPoint(file.Path, result.TimestampAt(i), value));
                }
            }
        }

        // Reads the whole range and closes the file before anything is written to the pipeline, so a slow
        // consumer never holds the file's lock.
        private FetchResult Fetch(string path)
        {
            using (var f = WhisperFile.Open(path, FileOpenMode.Read, IsBound(nameof(LockTimeout)) ? TimeSpan.FromSeconds(LockTimeout) : (TimeSpan?)null))
            {
                long from = RangeFrom;
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
                    // Exactly whisper's fetch(path, from, until, now, archiveToSelect=<this archive's step>): the range
                    // is clamped to the file's retention, not this archive's, so a range longer than the archive keeps
                    // wraps round its ring and the slots it no longer holds come back empty, as in whisper.
                    secondsPerPoint = archives[Archive].SecondsPerPoint;
                }
                WriteVerbose("Fetching '" + path + "' from " + FormatUnix(from) + " until " + FormatUnix(RangeUntil) +
                             " (now " + FormatUnix(RangeNow) + ").");
                var result = f.Fetch(from, RangeUntil, RangeNow, secondsPerPoint);
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
