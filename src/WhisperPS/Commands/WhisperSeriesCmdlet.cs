using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
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
            PrepareReads();
            return Replay(ReadCore(path, rangeFrom, rangeUntil, secondsPerPoint));
        }

        /// <summary>Writes what a <see cref="ReadCore"/> collected, in the order a direct read writes it: the -Archive
        /// error, the verbose notes, then the read's exception rethrown for the caller's per-file error.</summary>
        internal FetchResult Replay(SeriesRead read)
        {
            if (read.ArchiveError != null)
            {
                WriteError(read.ArchiveError);
                return null;
            }
            if (read.Verbose != null)
                foreach (string line in read.Verbose) WriteVerbose(line);
            if (read.Error != null) ExceptionDispatchInfo.Capture(read.Error).Throw();
            return read.Result;
        }

        /// <summary>
        /// The read itself, touching no cmdlet API (no output, no session state), so Export-WhisperSeries
        /// -ThrottleLimit can run it on worker threads; every exception is kept in the result. Verbose notes are
        /// built only when verbose output is on: formatting three times per file costs more than a small fetch.
        /// </summary>
        [MethodImpl(Export.LongSeriesWriter.AggressiveOptimization)]
        internal SeriesRead ReadCore(string path, long rangeFrom, long rangeUntil, long? secondsPerPoint)
        {
            var read = new SeriesRead(path);
            try
            {
                using (var f = WhisperFile.Open(path, FileOpenMode.Read, _lockTimeout))
                {
                    long from = rangeFrom;
                    if (!secondsPerPoint.HasValue && _archiveBound)
                    {
                        var archive = SelectArchive(f, path, out read.ArchiveError);
                        if (archive == null) return read;
                        // Exactly whisper's fetch(path, from, until, now, archiveToSelect=<this archive's step>): the range
                        // is clamped to the file's retention, not this archive's, so a range longer than the archive keeps
                        // wraps round its ring and the slots it no longer holds come back empty, as in whisper.
                        secondsPerPoint = archive.SecondsPerPoint;
                    }
                    if (_verbose)
                    {
                        read.Verbose = new List<string>(2);
                        read.Verbose.Add("Fetching '" + path + "' from " + FormatUnix(from) + " until " + FormatUnix(rangeUntil) +
                                         " (now " + FormatUnix(RangeNow) + ").");
                    }
                    var result = f.Fetch(from, rangeUntil, RangeNow, secondsPerPoint);
                    if (_verbose)
                    {
                        read.Verbose.Add(result == null
                            ? "'" + path + "': the range is outside the file's retention; no points."
                            : "'" + path + "': " + result.Count.ToString(CultureInfo.InvariantCulture) +
                              " slot(s) of " + result.Step.ToString(CultureInfo.InvariantCulture) + "s.");
                    }
                    read.Result = result;
                }
            }
            catch (Exception ex)
            {
                read.Error = ex;
            }
            return read;
        }

        private bool _prepared;
        private bool _archiveBound;
        private bool _verbose;
        private TimeSpan? _lockTimeout;

        /// <summary>Takes, once on the pipeline thread, what the reads need from the bound parameters and the session
        /// (whether verbose output is on), so <see cref="ReadCore"/> needs neither.</summary>
        internal void PrepareReads()
        {
            if (_prepared) return;
            _prepared = true;
            _archiveBound = IsBound(nameof(Archive));
            _lockTimeout = IsBound(nameof(LockTimeout)) ? TimeSpan.FromSeconds(LockTimeout) : (TimeSpan?)null;
            _verbose = VerboseWanted;
        }

        /// <summary>Opens a file for reading, waiting at most -LockTimeout for its lock when given.</summary>
        internal WhisperFile OpenForRead(string path) =>
            WhisperFile.Open(path, FileOpenMode.Read, IsBound(nameof(LockTimeout)) ? TimeSpan.FromSeconds(LockTimeout) : (TimeSpan?)null);

        /// <summary>The archive a read of the whole range uses: -Archive, or whisper's choice for -From. Null after an
        /// error when -Archive names an archive the file does not have.</summary>
        internal ArchiveInfo SelectedArchive(WhisperFile f, string path)
        {
            PrepareReads();
            var archive = SelectArchive(f, path, out var error);
            if (error != null) WriteError(error);
            return archive;
        }

        private ArchiveInfo SelectArchive(WhisperFile f, string path, out ErrorRecord error)
        {
            error = null;
            var archives = f.Header.Archives;
            if (_archiveBound)
            {
                if (Archive < archives.Count) return archives[Archive];
                error = WhisperErrors.Create(
                    new ArgumentOutOfRangeException(nameof(Archive), Archive, "'" + path + "' has " + archives.Count +
                        " archive(s); -Archive must be between 0 and " + (archives.Count - 1) + "."),
                    ErrorIds.ArchiveInvalid, ErrorCategory.InvalidArgument, path);
                return null;
            }
            return archives[f.ArchiveIndexFor(RangeFrom, RangeNow)];
        }
    }

    /// <summary>One file's read by <see cref="WhisperSeriesCmdlet.ReadCore"/>: its result, or what went wrong, and the
    /// verbose notes to write with it.</summary>
    internal sealed class SeriesRead
    {
        internal SeriesRead(string path) => Path = path;

        internal string Path { get; }

        internal FetchResult Result;
        internal Exception Error;
        internal ErrorRecord ArchiveError;
        internal List<string> Verbose;
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
