using System;
using System.Collections.Generic;
using System.IO;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine
{
    /// <summary>Options for <see cref="WhisperFile.Create"/>.</summary>
    public sealed class CreateOptions
    {
        /// <summary>Leave the data area as a hole instead of writing zeros (whisper-create --sparse).</summary>
        public bool Sparse { get; set; }

        /// <summary>Reserve the data blocks with posix_fallocate where available (whisper-create --fallocate).</summary>
        public bool Preallocate { get; set; }

        /// <summary>Replace an existing file (whisper-create --overwrite). The existing file is rewritten in place
        /// under its lock through the rewrite journal, so it keeps its owner, group and mode, carbon never writes into
        /// an unlinked copy, and a kill leaves the old file, the new one, or a journal the next open completes.</summary>
        public bool Overwrite { get; set; }

        /// <summary>fsync the new file before it appears under its name.</summary>
        public bool Flush { get; set; }
    }

    /// <summary>
    /// An open whisper file: the header is read and checked once, then updates, fetches and metadata changes
    /// work on it with positioned I/O. Writers hold an exclusive lock and readers a shared one for as long as
    /// the file is open, which is how carbon (WHISPER_LOCK_WRITES) and WhisperPS stay out of each other's way.
    /// Every clock-dependent call takes an optional <c>now</c> in Unix seconds.
    /// </summary>
    public sealed partial class WhisperFile : IDisposable
    {
        private readonly RandomAccessFile _file;
        private readonly byte[] _slot = new byte[Point.Size];

        private WhisperFile(RandomAccessFile file, WhisperHeader header, bool writable)
        {
            _file = file;
            Header = header;
            CanWrite = writable;
            _base = new long[header.Archives.Count];
            _baseOp = new int[header.Archives.Count];
        }

        public string Path => _file.Path;

        public WhisperHeader Header { get; private set; }

        public bool CanWrite { get; }

        /// <summary>Bytes on disk, as whisper-info's fileSize reports.</summary>
        public long Length => _file.Length;

        /// <summary>fsync after every change, like whisper's AUTOFLUSH.</summary>
        public bool AutoFlush { get; set; }

        // Bytes read at offset 0 when opening: the header, and usually the first archive's slot 0 with it.
        private const int OpenReadSize = 512;

        /// <summary>Opens an existing file, waiting for carbon's lock if it holds one.</summary>
        public static WhisperFile Open(string path, FileOpenMode mode = FileOpenMode.Read) => Open(path, mode, null);

        /// <summary>Opens an existing file, waiting for a lock held by someone else at most
        /// <paramref name="lockTimeout"/> (null: as long as it takes), else <see cref="LockTimeoutException"/>.</summary>
        public static WhisperFile Open(string path, FileOpenMode mode, TimeSpan? lockTimeout)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            var file = RandomAccessFile.Open(path, mode, lockTimeout);
            try
            {
                long length;
                byte[] head;
                int got;
                try
                {
                    length = file.Length;
                    // One read for the header (python does 1 + one per archive).
                    head = new byte[(int)Math.Min(OpenReadSize, Math.Max(0, length))];
                    got = ReadFully(file, 0, head, head.Length);
                }
                catch (Exception) when (!RandomAccessFile.IsWindows && Directory.Exists(path))
                {
                    throw UnixFile.IsDirectory(path);
                }
                var header = WhisperHeader.Read((offset, buffer, count) =>
                    offset + count <= got ? Copy(head, offset, buffer, count) : ReadFully(file, offset, buffer, count), length, path);
                var f = new WhisperFile(file, header, mode == FileOpenMode.ReadWrite);
                // The first archive's slot 0 came with the header: the first call need not read it again.
                var first = header.Archives[0];
                if (first.Offset + Point.Size <= got)
                {
                    f._op = 1;
                    f._base[0] = BigEndian.ReadUInt32(head, (int)first.Offset);
                    f._baseOp[0] = 1;
                }
                return f;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        private static int Copy(byte[] source, long offset, byte[] buffer, int count)
        {
            Buffer.BlockCopy(source, (int)offset, buffer, 0, count);
            return count;
        }

        /// <summary>Reads and checks a file's header.</summary>
        public static WhisperHeader ReadHeader(string path)
        {
            using (var f = Open(path)) return f.Header;
        }

        /// <summary>
        /// Creates a file with these archives, which are validated (and sorted finest first) before anything on
        /// disk is touched. The file is built under a temporary name beside the target and only then given its
        /// name, so no reader ever sees a partial file and a failure leaves nothing behind.
        /// </summary>
        public static WhisperHeader Create(string path, IEnumerable<ArchiveSpec> archives, double xFilesFactor = 0.5,
            AggregationMethod aggregationMethod = AggregationMethod.Average, CreateOptions options = null)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            options = options ?? new CreateOptions();
            WhisperHeader.CheckMethod(aggregationMethod, path);
            float xff = WhisperHeader.CheckXFilesFactor(xFilesFactor, path);
            List<ArchiveSpec> sorted;
            try
            {
                sorted = Retention.Validate(archives);
            }
            catch (InvalidConfigurationException e)
            {
                // Retention.Validate knows no file; say which one could not be created.
                throw new InvalidConfigurationException(e.Message + WhisperException.FileSuffix(path));
            }
            var header = WhisperHeader.ForNewFile(sorted, aggregationMethod, xff);

            string full = System.IO.Path.GetFullPath(path);
            if (options.Overwrite && File.Exists(full))
            {
                // Rewritten in place under its lock: same inode, so owner, group, mode and ACL stay, and a carbon
                // writer waiting on the lock writes into the new file instead of an unlinked one.
                Rewrite(full, _ => new RewriteImage(header.Encode(), header.FileSize, options.Sparse, options.Preallocate),
                    new RewriteOptions { Durable = options.Flush }, new RewriteResult());
                return header;
            }
            if (!RandomAccessFile.IsWindows)
            {
                // Fast path on Linux: build the file unnamed and link it in only if the name is free. No existence
                // checks first: linkat refuses an existing name atomically, and any failure to start falls through to
                // the portable path below, which reports it.
                var unnamed = UnixFile.TryCreateUnnamed(System.IO.Path.GetDirectoryName(full), path);
                if (unnamed != null)
                {
                    bool linked;
                    using (unnamed)
                    {
                        Fill(unnamed, header, options);
                        linked = unnamed.TryLinkAs(full);
                    }
                    if (linked) return header;
                    if (options.Overwrite && File.Exists(full)) return Create(path, sorted, xff, aggregationMethod, options);
                    throw new WhisperFileExistsException(path);
                }
            }
            if (File.Exists(full) || Directory.Exists(full))
            {
                if (options.Overwrite && File.Exists(full)) return Create(path, sorted, xff, aggregationMethod, options);
                throw new WhisperFileExistsException(path);
            }
            string dir = System.IO.Path.GetDirectoryName(full);
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException("Could not find a part of the path '" + path + "': the folder '" + dir + "' does not exist.");

            string temp = System.IO.Path.Combine(dir, "." + System.IO.Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp");
            try
            {
                using (var f = RandomAccessFile.CreateNew(temp))
                    Fill(f, header, options);
                if (!RandomAccessFile.MoveNoReplace(temp, full))
                {
                    if (!options.Overwrite) throw new WhisperFileExistsException(path);
                    // Another process created it meanwhile: overwrite that one in place.
                    File.Delete(temp);
                    return Create(path, sorted, xff, aggregationMethod, options);
                }
            }
            catch (Exception e)
            {
                try { File.Delete(temp); } catch (Exception) { /* nothing more we can do; the original error matters */ }
                // Errors while building the temporary file name that file; say which file the caller asked for.
                if (e.GetType() == typeof(IOException) && !e.Message.Contains(full))
                    throw new IOException("Could not create '" + full + "': " + e.Message, e.HResult);
                if (e is UnauthorizedAccessException && !e.Message.Contains(full))
                    throw new UnauthorizedAccessException("Could not create '" + full + "': " + e.Message, e);
                throw;
            }
            return header;
        }

        // The header, then the data area as asked: reserved, a hole, or zeros.
        private static void Fill(RandomAccessFile f, WhisperHeader header, CreateOptions options)
        {
            byte[] head = header.Encode();
            f.Write(0, head, 0, head.Length);
            long dataSize = header.FileSize - head.Length;
            if (options.Preallocate && f.TryAllocate(head.Length, dataSize))
            {
                // blocks reserved and zeroed by the filesystem
            }
            else if (options.Sparse)
            {
                f.MarkSparse();
                f.SetLength(header.FileSize);
            }
            else
                RewriteJournal.WriteZeros(f, head.Length, dataSize);
            if (options.Flush) f.Flush();
        }

        /// <summary>Changes the aggregation method and/or xFilesFactor; returns the old pair. Existing
        /// points are not re-aggregated; only later propagation uses the new settings.</summary>
        public (AggregationMethod Method, float XFilesFactor) SetAggregation(AggregationMethod? method, double? xFilesFactor = null)
        {
            RequireWrite();
            var old = Header;
            var newMethod = method ?? old.AggregationMethod;
            WhisperHeader.CheckMethod(newMethod, Path);
            float newXff = xFilesFactor.HasValue ? WhisperHeader.CheckXFilesFactor(xFilesFactor.Value, Path) : old.XFilesFactor;
            var meta = new byte[WhisperHeader.MetadataSize];
            WhisperHeader.EncodeMetadata(meta, newMethod, old.MaxRetention, newXff, old.Archives.Count);
            _file.Write(0, meta, 0, meta.Length);
            // Same archives, so the per-archive anchor arrays stay valid.
            Header = new WhisperHeader(newMethod, old.MaxRetention, newXff, old.Archives);
            AfterWrite();
            return (old.AggregationMethod, old.XFilesFactor);
        }

        public void Dispose() => _file.Dispose();

        internal static void CheckTimestamp(long timestamp, string path)
        {
            if (timestamp < 0 || timestamp > uint.MaxValue) throw new InvalidTimestampException(timestamp, path);
        }

        private void RequireWrite()
        {
            if (!CanWrite) throw new InvalidOperationException("'" + Path + "' was opened for reading only.");
        }

        private void AfterWrite()
        {
            if (AutoFlush) _file.Flush();
        }

        private static int ReadFully(RandomAccessFile file, long offset, byte[] buffer, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = file.Read(offset + total, buffer, total, count - total);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }

        // The interval stored in each archive's slot 0 (the anchor of its ring, 0 when empty), as last read or
        // written during the current call. Whisper reads it before every write and propagation; within one call we
        // hold the file's lock and see every write we make, so one read per archive per call gives the same answers.
        // _baseOp[i] == _op marks _base[i] as valid for this call.
        private readonly long[] _base;
        private readonly int[] _baseOp;
        private int _op;
        private bool _firstCallPending = true;

        /// <summary>Starts a public call: anchors read by earlier calls are no longer trusted. The open's read
        /// of slot 0 serves the first call only.</summary>
        private void BeginCall()
        {
            if (_firstCallPending)
            {
                _firstCallPending = false;
                if (_op == 1) return;
            }
            _op++;
            if (_op == int.MaxValue)
            {
                Array.Clear(_baseOp, 0, _baseOp.Length);
                _op = 1;
            }
        }

        private long GetBase(int archive)
        {
            if (_baseOp[archive] == _op) return _base[archive];
            var a = Header.Archives[archive];
            _file.ReadExactly(a.Offset, _slot, 0, Point.Size, "base datapoint");
            long b = BigEndian.ReadUInt32(_slot, 0);
            SetBase(archive, b);
            return b;
        }

        private void SetBase(int archive, long interval)
        {
            _base[archive] = interval;
            _baseOp[archive] = _op;
        }

        /// <summary>Writes one point into its slot; an empty archive is anchored at this interval.</summary>
        private void WriteSlot(int archive, long interval, double value)
        {
            var a = Header.Archives[archive];
            long baseInterval = GetBase(archive);
            long offset = baseInterval == 0 ? a.Offset : a.SlotOffset(interval, baseInterval);
            Point.Encode(_slot, 0, interval, value);
            _file.Write(offset, _slot, 0, Point.Size);
            if (offset == a.Offset) SetBase(archive, (uint)interval);
        }

        private void ReadRange(long offset, byte[] buffer, int index, int count)
        {
            _file.ReadExactly(offset, buffer, index, count, "datapoints");
        }
    }
}
