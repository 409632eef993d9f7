using System;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Commands
{
    /// <summary>
    /// A cmdlet that reads series over a time range: -Archive and -LockTimeout on top of -From/-Until/-Now, and
    /// the one fetch that Get-WhisperSeries, Export-WhisperSeries and the chart cmdlets share, so all read the same
    /// slots.
    /// </summary>
    public abstract class WhisperSeriesCmdlet : WhisperRangeCmdlet
    {
        /// <summary>Read this archive (0 = finest) instead of the one whisper would choose.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Archive { get; set; }

        /// <summary>How long to wait for each file's lock (held by a writer such as carbon-cache) before failing
        /// with WhisperLockTimeout; default: as long as it takes.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public double LockTimeout { get; set; }

        /// <summary>As whisper-fetch: the last 24 hours. The start is exclusive, as in whisper.</summary>
        internal override long DefaultFrom(long now) => now - 86400;

        /// <summary>The call's range of one file, or null after writing why not: a per-file error for a file that
        /// cannot be read, or a verbose note when there is nothing to read.</summary>
        internal FetchResult ReadSeries(string path)
        {
            try
            {
                return FetchSeries(path);
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                WriteFileError(ex, path, FileAccessIntent.Read);
                return null;
            }
        }

        /// <summary>
        /// Reads the range of one file and closes it before anything is written, so a slow consumer never holds the
        /// file's lock. Null (after a verbose or error record) when there is nothing to return. Engine and I/O
        /// exceptions propagate for the caller's per-file error.
        /// </summary>
        internal FetchResult FetchSeries(string path) => FetchSeries(path, RangeFrom, RangeUntil, null);

        /// <summary>
        /// The same read for a sub-range (from, until] of the call's range, in the archive with
        /// <paramref name="secondsPerPoint"/> when given (so windows of one long range all read the archive the whole
        /// range chose), otherwise -Archive or whisper's choice.
        /// </summary>
        internal FetchResult FetchSeries(string path, long rangeFrom, long rangeUntil, long? secondsPerPoint)
        {
            using (var f = OpenForRead(path))
            {
                long from = rangeFrom;
                if (!secondsPerPoint.HasValue && IsBound(nameof(Archive)))
                {
                    var archive = SelectedArchive(f, path);
                    if (archive == null) return null;
                    // Exactly whisper's fetch(path, from, until, now, archiveToSelect=<this archive's step>): the range
                    // is clamped to the file's retention, not this archive's, so a range longer than the archive keeps
                    // wraps round its ring and the slots it no longer holds come back empty, as in whisper.
                    secondsPerPoint = archive.SecondsPerPoint;
                }
                WriteVerbose("Fetching '" + path + "' from " + FormatUnix(from) + " until " + FormatUnix(rangeUntil) +
                             " (now " + FormatUnix(RangeNow) + ").");
                var result = f.Fetch(from, rangeUntil, RangeNow, secondsPerPoint);
                if (result == null)
                    WriteVerbose("'" + path + "': the range is outside the file's retention; no points.");
                else
                    WriteVerbose("'" + path + "': " + result.Count.ToString(CultureInfo.InvariantCulture) +
                                 " slot(s) of " + result.Step.ToString(CultureInfo.InvariantCulture) + "s.");
                return result;
            }
        }

        /// <summary>Opens a file for reading, waiting at most -LockTimeout for its lock when given.</summary>
        internal WhisperFile OpenForRead(string path) =>
            WhisperFile.Open(path, FileOpenMode.Read, IsBound(nameof(LockTimeout)) ? TimeSpan.FromSeconds(LockTimeout) : (TimeSpan?)null);

        /// <summary>The archive a read of the whole range uses: -Archive, or whisper's choice for -From. Null after an
        /// error when -Archive names an archive the file does not have.</summary>
        internal ArchiveInfo SelectedArchive(WhisperFile f, string path)
        {
            var archives = f.Header.Archives;
            if (IsBound(nameof(Archive)))
            {
                if (Archive < archives.Count) return archives[Archive];
                WriteError(WhisperErrors.Create(
                    new ArgumentOutOfRangeException(nameof(Archive), Archive, "'" + path + "' has " + archives.Count +
                        " archive(s); -Archive must be between 0 and " + (archives.Count - 1) + "."),
                    ErrorIds.ArchiveInvalid, ErrorCategory.InvalidArgument, path));
                return null;
            }
            return archives[f.ArchiveIndexFor(RangeFrom, RangeNow)];
        }
    }

    /// <summary>A series reader that writes slots out (Get-WhisperSeries, Export-WhisperSeries): empty slots only
    /// on request.</summary>
    public abstract class WhisperPointSeriesCmdlet : WhisperSeriesCmdlet
    {
        /// <summary>
        /// Also emit slots without a value (Value $null). Off by default, so that the obvious
        /// <c>Get-WhisperSeries | Measure-Object Value -Average</c> is not skewed by empty slots counted as 0.
        /// </summary>
        [Parameter]
        public SwitchParameter IncludeEmpty { get; set; }
    }
}
