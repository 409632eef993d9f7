using System;
using System.IO;

namespace WhisperPS.Engine.IO
{
    /// <summary>
    /// The complete new content of a file being rewritten in place, kept beside it as <c>&lt;file&gt;.journal</c>
    /// while the rewrite runs, so a kill at any moment can be finished or undone.
    /// <para>Order of a rewrite (under the file's exclusive lock): write the journal, fsync it and its directory;
    /// only then change the file; fsync the file; delete the journal. A journal that is complete (length and
    /// checksum match) may be partly applied, so it is applied again (redo); one that is not complete was never
    /// applied, so the file is still the original and the journal is deleted. Whoever opens the file next through
    /// WhisperPS does this under the file's lock before reading.</para>
    /// <para>Layout: "WSPJRNL2", data length, file length, flags, record length (all int64 little-endian), the
    /// payload, then a 64-bit checksum of everything before it; bytes after the record are ignored (a reused journal
    /// file may be longer). Journals of version 1 ("WSPJRNL1", no record length: the record is the whole file),
    /// left by an older WhisperPS, are still completed. The file is the data followed by zeros up to the file length
    /// (a hole when the sparse flag is set), so creating over a big file needs only its header in the journal.
    /// The payload is the data itself, or (runs flag) only its non-zero runs, each as offset and length (int64)
    /// and its bytes, the rest of the data being zeros: a resized file is mostly empty slots, and its journal then
    /// costs a tenth of the file to write, checksum and fsync.</para>
    /// <para>Durability (<c>durable</c>): the journal is fsynced before the file is touched, because the in-place
    /// write overwrites existing blocks, which the kernel may write back in any order and before the journal's
    /// blocks; without it a power loss could leave a torn file and a torn journal. Its name must be durable too (a
    /// torn file with no journal beside it could not be repaired): on ext4, XFS and btrfs the fsync of a new file
    /// already commits the directory entry that created it (ext4 and XFS commit their metadata log in order, up to
    /// the file's last change, which comes after its creation; ext4 without a journal and btrfs persist a new
    /// file's name on its fsync explicitly), so the directory is fsynced only on other filesystems. The file is
    /// fsynced after the in-place write and before the journal is deleted (see WhisperFile.Rewrite), else the
    /// deletion could reach the disk before the overwritten blocks. The deletion itself is not made durable: if a
    /// power loss undoes it, the next open applies the journal again over a file that already holds that content,
    /// and can only revert writes made after the rewrite that were themselves not yet on disk (the filesystem
    /// commits the deletion within seconds, long before it writes back a writer's later data, and carbon never
    /// fsyncs).</para>
    /// </summary>
    internal static class RewriteJournal
    {
        private const string Suffix = ".journal";
        private static readonly byte[] Magic = { (byte)'W', (byte)'S', (byte)'P', (byte)'J', (byte)'R', (byte)'N', (byte)'L', (byte)'2' };
        private const int HeadSize = 40, HeadSizeV1 = 32;
        private const int TailSize = 8;
        private const long SparseFlag = 1, PreallocateFlag = 2, RunsFlag = 4;
        private const int RunHeadSize = 16;

        // Zero bytes between two non-zero runs that are kept inside one run: a run costs 16 bytes of head.
        private const int RunBridge = 64;

        public static string PathFor(string path) => path + Suffix;

        public static bool Exists(string path) => RandomAccessFile.Exists(PathFor(path));

        /// <summary>Writes the journal for <paramref name="image"/>; on any failure removes what it wrote and
        /// rethrows, the file itself not yet touched.</summary>
        public static void Write(string path, RewriteImage image, bool durable, JournalReuse reuse = null)
        {
            string journal = PathFor(path);
            int length = Encode(image, out byte[] record);
            // Reuse only without fsync: a renamed journal's new name is durable only after its folder's fsync.
            if (durable || RandomAccessFile.IsWindows) reuse = null;
            RandomAccessFile created = null;
            try
            {
                if (reuse != null && reuse.TryTake(journal, record, length)) return;
                RandomAccessFile.Delete(journal);
                created = RandomAccessFile.CreateNew(journal);
                created.Write(0, record, 0, length);
                if (durable) created.Flush();
                bool nameDurable = durable && created.FlushPersistsNewName();
                if (reuse != null) reuse.Hold(journal, created);
                else created.Dispose();
                created = null;
                if (durable && !nameDurable) RandomAccessFile.FlushDirectoryOf(journal);
            }
            catch (Exception e)
            {
                created?.Dispose();
                try { RandomAccessFile.Delete(journal); } catch (Exception) { /* the original error matters */ }
                string message = "Could not rewrite '" + path + "': writing its journal failed, the file is unchanged: " + e.Message;
                if (e is UnauthorizedAccessException) throw new UnauthorizedAccessException(message, e);
                if (e is IOException) throw new IOException(message, e.HResult);
                throw;
            }
        }

        /// <summary>The whole journal record in one buffer: head, the non-zero runs of the data, checksum.</summary>
        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        private static int Encode(RewriteImage image, out byte[] record)
        {
            var data = image.Data;
            int count = image.Count;
            int runCount = FindRuns(data, count, out long[] runs);
            long payload = 0;
            for (int r = 0; r < runCount; r++) payload += RunHeadSize + runs[2 * r + 1];
            long total = HeadSize + payload + TailSize;
            if (total > int.MaxValue) throw new NotSupportedException("A rewrite of more than 2 GB cannot be journaled.");
            record = Scratch.JournalRecord((int)total);
            Buffer.BlockCopy(Magic, 0, record, 0, Magic.Length);
            WriteInt64(record, 8, count);
            WriteInt64(record, 16, image.Length);
            WriteInt64(record, 24, (image.SparseTail ? SparseFlag : 0) | (image.PreallocateTail ? PreallocateFlag : 0) | RunsFlag);
            WriteInt64(record, 32, total);
            int at = HeadSize;
            for (int r = 0; r < runCount; r++)
            {
                int offset = (int)runs[2 * r], n = (int)runs[2 * r + 1];
                WriteInt64(record, at, offset);
                WriteInt64(record, at + 8, n);
                Buffer.BlockCopy(data, offset, record, at + RunHeadSize, n);
                at += RunHeadSize + n;
            }
            WriteInt64(record, at, (long)Checksum(Checksum(Seed, record, 0, HeadSize), record, HeadSize, at - HeadSize));
            return at + TailSize;
        }

        // The non-zero runs of data[0, count) as (offset, length) pairs in runs, runs closer than RunBridge merged.
        // Scans 8 bytes at a time (32 over zeros); a run may include zeros at its edges, which is harmless.
        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        private static unsafe int FindRuns(byte[] data, int count, out long[] runs)
        {
            runs = Scratch.JournalRuns(64);
            int n = 0;
            long start = -1, end = -1; // current run [start, end)
            fixed (byte* p = data)
            {
                int i = 0;
                for (; i < count; i += 8)
                {
                    // Zero words change nothing: a resized file is mostly zeros, skipped 32 bytes at a time.
                    while (i + 32 <= count && (*(ulong*)(p + i) | *(ulong*)(p + i + 8) | *(ulong*)(p + i + 16) | *(ulong*)(p + i + 24)) == 0)
                        i += 32;
                    if (i >= count) break;
                    bool nonZero;
                    if (i + 8 <= count) nonZero = *(ulong*)(p + i) != 0;
                    else
                    {
                        nonZero = false;
                        for (int b = i; b < count; b++) nonZero |= p[b] != 0;
                    }
                    if (!nonZero) continue;
                    long wordEnd = Math.Min(i + 8, count);
                    if (start >= 0 && i - end < RunBridge)
                    {
                        end = wordEnd;
                        continue;
                    }
                    if (start >= 0) Add(ref runs, ref n, start, end);
                    start = i;
                    end = wordEnd;
                }
            }
            if (start >= 0) Add(ref runs, ref n, start, end);
            return n;
        }

        private static void Add(ref long[] runs, ref int n, long start, long end)
        {
            if (2 * n + 2 > runs.Length)
            {
                var more = Scratch.JournalRuns(runs.Length * 2);
                Array.Copy(runs, more, 2 * n);
                runs = more;
            }
            runs[2 * n] = start;
            runs[2 * n + 1] = end - start;
            n++;
        }

        /// <summary>Ends a rewrite: the journal is deleted, or, when <paramref name="reuse"/> holds it, made invalid
        /// and kept for the next rewrite in the same folder.</summary>
        public static void Delete(string path, JournalReuse reuse = null)
        {
            if (reuse != null && reuse.Release(PathFor(path))) return;
            RandomAccessFile.Delete(PathFor(path));
        }

        // What makes a kept journal invalid: its magic number overwritten (no record starts with zeros).
        internal static readonly byte[] Invalid = new byte[8];

        /// <summary>Puts the image into the open file: the data at offset 0, zeros (or a hole) after it.</summary>
        public static void Apply(RandomAccessFile f, RewriteImage image)
        {
            f.Write(0, image.Data, 0, image.Count);
            FinishLength(f, image);
        }

        /// <summary>
        /// <see cref="Apply(RandomAccessFile, RewriteImage)"/> for a file whose content is known: <paramref name="current"/>
        /// was read under the same exclusive lock, and the file was then grown to the image's length with blocks that
        /// read as zeros when <paramref name="grownWithZeros"/>. Only what changes is written: over the old content
        /// the one span from the first to the last byte that differs, past it the span from the first to the last
        /// non-zero byte. A resized file is mostly empty slots and keeps its finest archive where it was, so this
        /// copies a small part of it into the page cache; the result is byte for byte what Apply leaves.
        /// </summary>
        public static void ApplyOver(RandomAccessFile f, RewriteImage image, byte[] current, bool grownWithZeros)
        {
            int count = image.Count;
            if (!grownWithZeros && count > current.Length)
            {
                Apply(f, image); // what lies past the old end is not known
                return;
            }
            var data = image.Data;
            // Past `end` the image and the old content are both zeros.
            int end = Math.Max(LastDifference(data, null, 0, count), LastDifference(current, null, 0, Math.Min(count, current.Length)));
            int shared = Math.Min(end, current.Length);
            int first = FirstDifference(data, current, 0, shared);
            if (first < shared)
            {
                int last = LastDifference(data, current, first, shared);
                f.Write(first, data, first, last - first);
            }
            if (end > shared)
            {
                int nonZero = FirstDifference(data, null, shared, end);
                if (nonZero < end) f.Write(nonZero, data, nonZero, end - nonZero);
            }
            FinishLength(f, image);
        }

        // After the data: the file's length, and zeros (or a hole) from the data's end to the image's length.
        private static void FinishLength(RandomAccessFile f, RewriteImage image)
        {
            long dataEnd = image.Count;
            if (image.Length <= dataEnd)
            {
                if (f.Length != image.Length) f.SetLength(image.Length);
                return;
            }
            // Clear whatever followed the data, then zero-fill the rest as asked.
            if (f.Length > dataEnd) f.SetLength(dataEnd);
            if (image.SparseTail)
            {
                f.MarkSparse();
                f.SetLength(image.Length);
            }
            else if (image.PreallocateTail && f.TryAllocate(dataEnd, image.Length - dataEnd)) { }
            else WriteZeros(f, dataEnd, image.Length - dataEnd);
        }

        // The first index in [from, to) where a differs from b (from zeros when b is null), else `to`. 8 bytes at a time.
        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        internal static unsafe int FirstDifference(byte[] a, byte[] b, int from, int to)
        {
            fixed (byte* pa = a)
            fixed (byte* pb = b)
            {
                int i = from;
                if (pb == null)
                    while (i + 8 <= to && *(ulong*)(pa + i) == 0) i += 8;
                else
                    while (i + 8 <= to && *(ulong*)(pa + i) == *(ulong*)(pb + i)) i += 8;
                while (i < to && pa[i] == (pb == null ? 0 : pb[i])) i++;
                return i;
            }
        }

        // One past the last index in [from, to) where a differs from b (from zeros when b is null); `from` when none does.
        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        private static unsafe int LastDifference(byte[] a, byte[] b, int from, int to)
        {
            fixed (byte* pa = a)
            fixed (byte* pb = b)
            {
                int i = to;
                if (pb == null)
                    while (i - 8 >= from && *(ulong*)(pa + i - 8) == 0) i -= 8;
                else
                    while (i - 8 >= from && *(ulong*)(pa + i - 8) == *(ulong*)(pb + i - 8)) i -= 8;
                while (i > from && pa[i - 1] == (pb == null ? 0 : pb[i - 1])) i--;
                return i;
            }
        }

        internal static void WriteZeros(RandomAccessFile f, long offset, long count)
        {
            var zeros = new byte[(int)Math.Min(count, 1 << 16)];
            while (count > 0)
            {
                int n = (int)Math.Min(count, zeros.Length);
                f.Write(offset, zeros, 0, n);
                offset += n;
                count -= n;
            }
        }

        /// <summary>Finishes or discards a leftover journal through a file opened and locked for writing.</summary>
        public static void Recover(RandomAccessFile f, string path)
        {
            string journal = PathFor(path);
            var image = TryRead(journal);
            if (image != null)
            {
                Apply(f, image);
                f.Flush();
            }
            RandomAccessFile.Delete(journal);
        }

        /// <summary>For a reader: takes the file's write lock just long enough to finish or discard the journal.</summary>
        public static void Recover(string path)
        {
            RandomAccessFile f;
            try
            {
                f = RandomAccessFile.IsWindows ? (RandomAccessFile)StreamFile.OpenFile(path, FileOpenMode.ReadWrite)
                                               : UnixFile.OpenFile(path, FileOpenMode.ReadWrite);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new UnauthorizedAccessException("'" + path + "' has an unfinished WhisperPS rewrite ('" + PathFor(path) +
                    "'); open it once with write access (for example Get-WhisperInfo as its owner) to complete it.", e);
            }
            using (f)
            {
                f.Lock(true);
                // If the path was replaced meanwhile, the caller's next open sees the new file and decides again.
                if (f.IsStillAtPath() && Exists(path)) Recover(f, path);
            }
        }

        /// <summary>The image in a complete journal, or null when it is missing, torn or not ours.</summary>
        private static RewriteImage TryRead(string journal)
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(journal); }
            catch (FileNotFoundException) { return null; }
            if (bytes.Length < HeadSizeV1 + TailSize) return null;
            for (int i = 0; i < Magic.Length - 1; i++)
                if (bytes[i] != Magic[i]) return null;
            int head, end; // the payload is bytes [head, end), the checksum follows
            if (bytes[7] == (byte)'1')
            {
                head = HeadSizeV1;
                end = bytes.Length - TailSize;
            }
            else if (bytes[7] == Magic[7] && bytes.Length >= HeadSize + TailSize)
            {
                long record = ReadInt64(bytes, 32);
                if (record < HeadSize + TailSize || record > bytes.Length) return null;
                head = HeadSize;
                end = (int)record - TailSize;
            }
            else return null;
            long dataLength = ReadInt64(bytes, 8), length = ReadInt64(bytes, 16), flags = ReadInt64(bytes, 24);
            if (dataLength < 0 || dataLength > int.MaxValue || length < dataLength) return null;
            ulong sum = Checksum(Checksum(Seed, bytes, 0, head), bytes, head, end - head);
            if ((long)sum != ReadInt64(bytes, end)) return null;
            var data = new byte[dataLength];
            if ((flags & RunsFlag) == 0)
            {
                if (end - head != dataLength) return null;
                Buffer.BlockCopy(bytes, head, data, 0, (int)dataLength);
            }
            else
            {
                long previousEnd = 0;
                int at = head;
                while (at < end)
                {
                    if (end - at < RunHeadSize) return null;
                    long offset = ReadInt64(bytes, at), n = ReadInt64(bytes, at + 8);
                    at += RunHeadSize;
                    if (offset < previousEnd || n <= 0 || n > end - at || offset + n > dataLength) return null;
                    Buffer.BlockCopy(bytes, at, data, (int)offset, (int)n);
                    at += (int)n;
                    previousEnd = offset + n;
                }
            }
            return new RewriteImage(data, length, (flags & SparseFlag) != 0, (flags & PreallocateFlag) != 0);
        }

        private const ulong Seed = 0x9E3779B97F4A7C15UL;

        // A fast 64-bit mix over 8-byte words, enough to tell a complete journal from a torn one (not a defence
        // against tampering: whoever can write the journal can write the file).
        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        private static unsafe ulong Checksum(ulong h, byte[] data, int offset, int count)
        {
            fixed (byte* start = data)
            {
                byte* p = start + offset, end = p + count;
                for (; p + 8 <= end; p += 8)
                {
                    h ^= *(ulong*)p; // little-endian words, as BitConverter reads them on every platform we run on
                    h *= 0xFF51AFD7ED558CCDUL;
                    h ^= h >> 29;
                }
                for (; p < end; p++)
                {
                    h ^= *p;
                    h *= 0x100000001B3UL;
                }
            }
            h ^= (ulong)count;
            h *= 0xC4CEB9FE1A85EC53UL;
            return h ^ (h >> 32);
        }

        private static void WriteInt64(byte[] b, int offset, long v)
        {
            for (int i = 0; i < 8; i++) b[offset + i] = (byte)(v >> (8 * i));
        }

        private static long ReadInt64(byte[] b, int offset)
        {
            long v = 0;
            for (int i = 7; i >= 0; i--) v = (v << 8) | b[offset + i];
            return v;
        }
    }

    /// <summary>What a file is to become: the first <see cref="Count"/> bytes of <see cref="Data"/> at offset 0,
    /// then zeros up to <see cref="Length"/>. Data may be longer than Count (a reused buffer).</summary>
    internal sealed class RewriteImage
    {
        public RewriteImage(byte[] data, long length = -1, bool sparseTail = false, bool preallocateTail = false, int count = -1)
        {
            Data = data;
            Count = count < 0 ? data.Length : count;
            Length = length < 0 ? Count : length;
            SparseTail = sparseTail;
            PreallocateTail = preallocateTail;
        }

        public byte[] Data { get; }
        public int Count { get; }
        public long Length { get; }
        public bool SparseTail { get; }
        public bool PreallocateTail { get; }
    }
}
