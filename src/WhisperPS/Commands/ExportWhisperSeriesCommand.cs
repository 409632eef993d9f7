using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Tasks;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;
using WhisperPS.Export;

namespace WhisperPS.Commands
{
    /// <summary>The shapes Export-WhisperSeries writes.</summary>
    public enum SeriesExportFormat
    {
        /// <summary>What <c>Get-WhisperSeries | Export-Csv</c> writes, byte for byte.</summary>
        Csv,

        /// <summary>One JSON object per slot and line, invariant and exact.</summary>
        JsonLines,

        /// <summary>One row per time, one column per file, on the common step.</summary>
        Wide,
    }

    /// <summary>
    /// Export-WhisperSeries: what Get-WhisperSeries reads, written straight to a file with no PowerShell object per
    /// point. -Path/-LiteralPath name the output file, as for Export-Csv; the whisper files come from -InputPath,
    /// -LiteralInputPath or the pipeline.
    /// </summary>
    /// <remarks>
    /// The output -Path and -LiteralPath hide the input ones that WhisperFileInputCmdlet declares: PowerShell binds
    /// the most derived property of a name, so the range, archive and fetch code stay shared with Get-WhisperSeries.
    /// </remarks>
    [Cmdlet(VerbsData.Export, "WhisperSeries", DefaultParameterSetName = InputPathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(void))]
    public sealed class ExportWhisperSeriesCommand : WhisperPointSeriesCmdlet
    {
        private const string InputPathSet = "InputPath";
        private const string LiteralInputPathSet = "LiteralInputPath";
        private const int ProgressActivityId = 0x5751;

        private string _output;
        private bool _skip;
        private FileStream _stream;
        private StreamWriter _writer;
        private CsvFormat _format;
        private LongSeriesWriter _long;
        private bool _headerDue;
        private string[] _appendHeader;
        private FileInfo _readOnly;
        private readonly List<string> _wideFiles = new List<string>();
        private readonly HashSet<string> _wideSeen = new HashSet<string>(PathComparer);
        private readonly Stopwatch _progressClock = Stopwatch.StartNew();
        private long _files;
        private long _progressCalls;
        private Queue<PendingRead> _pending;
        private int _lookAhead;
        private TaskFactory _readFactory;
        private Dictionary<WideColumn, Task<SeriesRead>> _windowReads;

        /// <summary>A file's read started on a worker, and its literal input when not yet resolved.</summary>
        private readonly struct PendingRead
        {
            internal PendingRead(string unresolved, Task<SeriesRead> read)
            {
                Unresolved = unresolved;
                Read = read;
                Error = null;
            }

            internal PendingRead(ErrorRecord error)
            {
                Unresolved = null;
                Read = null;
                Error = error;
            }

            /// <summary>An input's resolution error, written in its turn.</summary>
            internal ErrorRecord Error { get; }

            internal string Unresolved { get; }

            internal Task<SeriesRead> Read { get; }
        }

        /// <summary>The output file. Taken literally (no wildcards), as a file name for a new file is.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public new string Path { get; set; }

        /// <summary>The output file, literally; the same as -Path (kept for Export-Csv's muscle memory).</summary>
        [Parameter]
        [Alias("LP")]
        [ValidateNotNullOrEmpty]
        public new string LiteralPath { get; set; }

        /// <summary>Whisper files to export; wildcards allowed.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputPathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] InputPath { get; set; }

        /// <summary>Whisper files to export, literally; FileInfo from Get-ChildItem binds here by its PSPath.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralInputPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LIP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralInputPath { get; set; }

        [Parameter]
        public SeriesExportFormat Format { get; set; }

        [Parameter]
        public SwitchParameter Append { get; set; }

        [Parameter]
        [EncodingTransformation]
        [ArgumentCompleter(typeof(EncodingCompleter))]
        [ValidateNotNull]
        public Encoding Encoding { get; set; }

        [Parameter]
        public char Delimiter { get; set; }

        [Parameter]
        public SwitchParameter UseCulture { get; set; }

        [Parameter]
        [Alias("UQ")]
        public CsvQuoting UseQuotes { get; set; } = CsvQuoting.Always;

        [Parameter]
        public SwitchParameter NoHeader { get; set; }

        [Parameter]
        [Alias("NoOverwrite")]
        public SwitchParameter NoClobber { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>A folder among the inputs stands for the *.wsp files below it (see <see cref="ExportFolder"/>): the fast
        /// way to export a tree, with no PowerShell object per file.</summary>
        [Parameter]
        public SwitchParameter Recurse { get; set; }

        /// <summary>How many files are read at once, on worker threads; the rows are written in input order all the
        /// same. 1 (the default) reads each file on the pipeline thread.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 1;

        protected override void BeginProcessing()
        {
            if (IsBound(nameof(Path)) == IsBound(nameof(LiteralPath)))
                Conflict("Give the output file with -Path or with -LiteralPath (one of them).");
            if (IsBound(nameof(Delimiter)) && UseCulture)
                Conflict("-Delimiter and -UseCulture both choose the delimiter; give one of them.");
            if (Format == SeriesExportFormat.JsonLines &&
                (IsBound(nameof(Delimiter)) || UseCulture || IsBound(nameof(UseQuotes)) || NoHeader))
                Conflict("-Delimiter, -UseCulture, -UseQuotes and -NoHeader apply to the Csv and Wide formats, not JsonLines.");
            ResolveRange();
            PrepareReads();

            string given = IsBound(nameof(Path)) ? Path : LiteralPath;
            _output = ResolveNewFile(given, out var error);
            if (_output == null) ThrowTerminatingError(error);
            if (!ShouldProcess(_output, "Export whisper series (" + Format + ")"))
            {
                _skip = true;
                return;
            }
            char delimiter = UseCulture ? CultureInfo.CurrentCulture.TextInfo.ListSeparator[0] : IsBound(nameof(Delimiter)) ? Delimiter : ',';
            _format = new CsvFormat(delimiter, UseQuotes, CultureInfo.CurrentCulture);
            Open();
            if (Format == SeriesExportFormat.Csv)
            {
                _long = new CsvSeriesWriter(_writer, _format, _appendHeader == null ? null : ReconcileAppendHeader());
                _headerDue = _appendHeader == null && !NoHeader;
            }
            else if (Format == SeriesExportFormat.JsonLines)
            {
                _long = new JsonLinesSeriesWriter(_writer);
            }
            if (ThrottleLimit > 1)
            {
                _readFactory = new TaskFactory(new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, ThrottleLimit).ConcurrentScheduler);
                if (Format != SeriesExportFormat.Wide)
                {
                    _pending = new Queue<PendingRead>();
                    // Four reads a worker ahead of the writer: enough to keep the workers busy while it formats, and a
                    // bound on memory (each read holds one file's range).
                    _lookAhead = 4 * ThrottleLimit;
                }
            }
        }

        protected override void ProcessRecord()
        {
            if (_skip) return;
            bool literal = ParameterSetName == LiteralInputPathSet;
            string[] inputs = literal ? LiteralInputPath : InputPath;
            // A FileInfo from Get-ChildItem binds one qualified literal path per record: read it without asking the
            // provider or the file system first. A missing file fails its open, and only then is it resolved the
            // usual way, which writes the same error a resolution first would have.
            if (literal && !Recurse && Format != SeriesExportFormat.Wide && inputs != null && inputs.Length == 1 &&
                TryFileSystemPath(inputs[0], out string direct))
            {
                Export(direct, inputs[0]);
                return;
            }
            // With reads under way, an input's error waits its turn in the queue, so errors keep the input order.
            foreach (var file in ResolveExistingFiles(inputs, literal, Recurse, _pending == null ? null : (Action<ErrorRecord>)QueueError))
            {
                ThrowIfStopping();
                Take(file.Path, file.IsFolder, null);
            }
        }

        private void Take(string path, bool folder, string unresolved)
        {
            if (folder)
            {
                ExportFolder(path);
            }
            else if (Format == SeriesExportFormat.Wide)
            {
                if (PathComparer.Equals(path, _output)) return; // *.* matched the file being written
                if (_wideSeen.Add(path)) _wideFiles.Add(path);
            }
            else
            {
                Export(path, unresolved);
            }
        }

        /// <summary>-Recurse: the *.wsp files below a folder, in the order <see cref="WspTree"/> gives.</summary>
        private void ExportFolder(string folder)
        {
            foreach (string file in WspTree.FilesBelow(folder, (ex, dir) => WriteFileError(ex, dir, FileAccessIntent.Read)))
            {
                ThrowIfStopping();
                Take(file, false, file);
            }
        }

        /// <summary>
        /// Reads one file and writes its rows, or with -ThrottleLimit above 1 starts its read on a worker and
        /// writes the oldest reads that are done, in input order: at most a bounded number of reads are ahead of
        /// the writer. <paramref name="unresolved"/> is the literal input not yet checked to exist.
        /// </summary>
        [MethodImpl(LongSeriesWriter.AggressiveOptimization)]
        private void Export(string path, string unresolved)
        {
            ThrowIfStopping();
            if (PathComparer.Equals(path, _output)) return; // *.* matched the file being written
            if (_pending == null)
            {
                Emit(ReadCore(path, RangeFrom, RangeUntil, null), unresolved);
                return;
            }
            var token = CancellationToken;
            _pending.Enqueue(new PendingRead(unresolved, _readFactory.StartNew(
                () => token.IsCancellationRequested ? null : ReadCore(path, RangeFrom, RangeUntil, null), token)));
            while (_pending.Count > _lookAhead) EmitOldest();
        }

        private void QueueError(ErrorRecord error)
        {
            _pending.Enqueue(new PendingRead(error));
            while (_pending.Count > _lookAhead) EmitOldest();
        }

        private void EmitOldest()
        {
            var next = _pending.Peek();
            if (next.Error != null)
            {
                _pending.Dequeue();
                WriteError(next.Error);
                return;
            }
            try
            {
                next.Read.Wait(CancellationToken);
            }
            catch (OperationCanceledException)
            {
                ThrowIfStopping();
                throw;
            }
            catch (AggregateException ex) when (ex.InnerException is OperationCanceledException)
            {
                ThrowIfStopping();
                throw;
            }
            _pending.Dequeue();
            Emit(next.Read.Result, next.Unresolved);
        }

        /// <summary>Writes one file's read: its errors and notes, then its rows.</summary>
        [MethodImpl(LongSeriesWriter.AggressiveOptimization)]
        private void Emit(SeriesRead read, string unresolved)
        {
            ThrowIfStopping();
            if (read == null) return;
            if (unresolved != null && (read.Error != null || read.ArchiveError != null) && !File.Exists(read.Path))
            {
                // Gone or a folder: the error resolving it would have written (and, should it exist by now, its rows,
                // read here so that they keep their place in the output).
                foreach (var file in ResolveExistingFiles(new[] { unresolved }, true))
                    Emit(ReadCore(file.Path, RangeFrom, RangeUntil, null), null);
                return;
            }
            FetchResult result;
            try
            {
                result = Replay(read);
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                WriteFileError(ex, read.Path, FileAccessIntent.Read);
                result = null;
            }
            _files++;
            if (result == null) return;
            try
            {
                if (_headerDue && HasRow(result))
                {
                    // Export-Csv writes its header with the first row, so an export of nothing is an empty file.
                    _long.WriteHeader();
                    _headerDue = false;
                }
                _long.WriteSeries(read.Path, result, IncludeEmpty, ThrowIfStopping);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(WhisperErrors.FromException(ex, _output, FileAccessIntent.Write));
            }
            Progress(read.Path, _long.Rows, -1);
        }

        protected override void EndProcessing()
        {
            if (_skip) return;
            if (_pending != null)
                while (_pending.Count > 0) EmitOldest();
            if (Format == SeriesExportFormat.Wide) WriteWide();
            Close();
            WriteProgress(new ProgressRecord(ProgressActivityId, "Export-WhisperSeries", "Done") { RecordType = ProgressRecordType.Completed });
        }

        protected override void Dispose(bool disposing)
        {
            // After Ctrl+C or a terminating error: the writer holds complete rows only, so flushing them leaves a
            // well-formed file.
            if (!disposing) return;
            Close();
            var running = new List<Task>();
            if (_pending != null) running.AddRange(_pending.Where(p => p.Read != null).Select(p => (Task)p.Read));
            if (_windowReads != null) running.AddRange(_windowReads.Values);
            _pending = null;
            _windowReads = null;
            if (running.Count == 0) return;
            // Stopped or failed with reads under way: let them finish (each closes its file) before returning, so no
            // file stays open or locked after the command. A read that waits for a lock held elsewhere is not waited
            // for past a few seconds.
            try
            {
                Task.WaitAll(running.ToArray(), TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // cancelled before they started: nothing to close
            }
        }

        private bool HasRow(FetchResult result)
        {
            if (IncludeEmpty) return result.Count > 0;
            for (int i = 0; i < result.Count; i++)
                if (result.TryGetValue(i, out _)) return true;
            return false;
        }

        private void WriteWide()
        {
            var columns = new List<WideColumn>();
            foreach (string path in _wideFiles)
            {
                try
                {
                    using (var f = OpenForRead(path))
                    {
                        var archive = SelectedArchive(f, path);
                        if (archive == null) continue;
                        columns.Add(new WideColumn(path, archive.SecondsPerPoint, f.Header.AggregationMethod, f.Header.XFilesFactor,
                            RangeNow - f.Header.MaxRetention));
                    }
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, path, FileAccessIntent.Read);
                }
            }
            if (columns.Count == 0) return;
            WideSeriesWriter.AssignNames(columns);
            var wide = new WideSeriesWriter(_writer, _format, columns);
            WriteVerbose("Wide export of " + columns.Count + " file(s) on a common step of " + wide.Step + "s, " + wide.WindowRows + " row(s) per read window.");
            Write(() =>
            {
                if (_appendHeader == null)
                {
                    if (!NoHeader) wide.WriteHeader();
                }
                else
                {
                    CheckWideAppendHeader(columns);
                }
                wide.WriteRows(RangeFrom, Math.Min(RangeUntil, RangeNow), IncludeEmpty,
                    _readFactory == null ? (c, from, until) => FetchSeries(c.Path, from, until, c.Step) : WindowReader(columns),
                    (c, ex) => WriteFileError(ex, c.Path, FileAccessIntent.Read),
                    ThrowIfStopping,
                    (done, total) => Progress(null, wide.Rows, (int)(100 * done / Math.Max(1, total))));
            });
        }

        /// <summary>
        /// -ThrottleLimit for the wide format: the first read of a window starts the reads of every column still being
        /// read for that window on the workers; each column then takes its own, in column order, with its notes and
        /// errors as a direct read writes them. A window is already sized so that all its columns fit in memory.
        /// </summary>
        private Func<WideColumn, long, long, FetchResult> WindowReader(List<WideColumn> columns)
        {
            var reads = _windowReads = new Dictionary<WideColumn, Task<SeriesRead>>();
            long window = long.MinValue;
            var token = CancellationToken;
            return (column, from, until) =>
            {
                if (from != window)
                {
                    window = from;
                    reads.Clear();
                    foreach (var c in columns)
                    {
                        if (c.Failed) continue;
                        var col = c;
                        reads[c] = _readFactory.StartNew(() => token.IsCancellationRequested ? null : ReadCore(col.Path, from, until, col.Step), token);
                    }
                }
                var read = reads[column];
                try
                {
                    read.Wait(token);
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex.InnerException is OperationCanceledException)
                {
                    ThrowIfStopping();
                    throw;
                }
                reads.Remove(column);
                return Replay(read.Result);
            };
        }

        private void CheckWideAppendHeader(List<WideColumn> columns)
        {
            var names = new List<string> { "Timestamp", "UnixTime" };
            foreach (var c in columns) names.Add(c.Name);
            if (_appendHeader.Length == names.Count && !names.Where((n, i) => !string.Equals(n, _appendHeader[i], StringComparison.OrdinalIgnoreCase)).Any())
                return;
            ThrowTerminatingError(WhisperErrors.Create(
                new InvalidOperationException("Cannot append to '" + _output + "': its columns (" + string.Join(", ", _appendHeader) +
                    ") are not this export's (" + string.Join(", ", names) + ")."),
                ErrorIds.ExportColumnsMismatch, ErrorCategory.InvalidData, _output));
        }

        /// <summary>As Export-Csv -Append: the existing header's columns, in its order; one the points do not have
        /// is an error unless -Force, which leaves it empty.</summary>
        private string[] ReconcileAppendHeader()
        {
            foreach (string name in _appendHeader)
            {
                if (Force || Array.Exists(CsvSeriesWriter.PointColumnNames, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))) continue;
                ThrowTerminatingError(WhisperErrors.Create(
                    new InvalidOperationException("Cannot append to '" + _output + "': its column '" + name +
                        "' is not a column of the export (Path, Timestamp, UnixTime, Value). Use -Force to append anyway, leaving it empty."),
                    ErrorIds.ExportColumnsMismatch, ErrorCategory.InvalidData, name));
            }
            return _appendHeader;
        }

        private void Open()
        {
            Encoding encoding = Encoding ?? new UTF8Encoding(false);
            bool exists = File.Exists(_output);
            if (exists && NoClobber && !Append)
            {
                ThrowTerminatingError(WhisperErrors.Create(
                    new IOException("The file '" + _output + "' already exists (-NoClobber)."),
                    ErrorIds.FileExists, ErrorCategory.ResourceExists, _output));
            }
            try
            {
                if (exists && Append && Format != SeriesExportFormat.JsonLines)
                {
                    // Export-Csv -Append: the header comes from the file, and so does the encoding when it has a BOM.
                    using (var reader = new StreamReader(_output, encoding, true))
                    {
                        string first = reader.ReadLine();
                        if (first != null)
                        {
                            _appendHeader = CsvHeader.Split(first, _format.Delimiter);
                            encoding = reader.CurrentEncoding;
                        }
                    }
                }
                if (exists && Force)
                {
                    var info = new FileInfo(_output);
                    if ((info.Attributes & FileAttributes.ReadOnly) != 0)
                    {
                        info.Attributes &= ~FileAttributes.ReadOnly;
                        _readOnly = info;
                    }
                }
                _stream = new FileStream(_output, Append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
                _writer = new StreamWriter(_stream, encoding, 1 << 16);
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                Close();
                ThrowTerminatingError(WhisperErrors.FromException(ex, _output, FileAccessIntent.Write));
            }
        }

        /// <summary>Writes to the output file; an I/O error there ends the export (nothing further can be written).</summary>
        private void Write(Action write)
        {
            try
            {
                write();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(WhisperErrors.FromException(ex, _output, FileAccessIntent.Write));
            }
        }

        private void Close()
        {
            try
            {
                _writer?.Dispose();
                _stream?.Dispose();
            }
            finally
            {
                _writer = null;
                _stream = null;
                if (_readOnly != null)
                {
                    _readOnly.Attributes |= FileAttributes.ReadOnly;
                    _readOnly = null;
                }
            }
        }

        private void Progress(string file, long rows, int percent)
        {
            // Reading the clock is a system call on some VMs, dearer than exporting a small file: look every 64 calls.
            if ((percent < 0 && (++_progressCalls & 63) != 0) || _progressClock.ElapsedMilliseconds < 500) return;
            _progressClock.Restart();
            var record = new ProgressRecord(ProgressActivityId, "Export-WhisperSeries",
                _files.ToString(CultureInfo.CurrentCulture) + " file(s), " + rows.ToString("N0", CultureInfo.CurrentCulture) + " row(s) written to " + _output)
            { PercentComplete = percent };
            if (file != null) record.CurrentOperation = file;
            WriteProgress(record);
        }

        private void Conflict(string message)
        {
            ThrowTerminatingError(WhisperErrors.Create(new ArgumentException(message), ErrorIds.ParameterConflict, ErrorCategory.InvalidArgument, null));
        }
    }
}
