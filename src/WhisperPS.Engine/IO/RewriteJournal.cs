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
    /// <para>Layout: "WSPJRNL1", data length, file length, flags (all int64 little-endian), the data, then a
    /// 64-bit checksum of everything before it. The file is the data followed by zeros up to the file length
    /// (a hole when the sparse flag is set), so creating over a big file needs only its header in the journal.</para>
    /// </summary>
    internal static class RewriteJournal
    {
        private const string Suffix = ".journal";
        private static readonly byte[] Magic = { (byte)'W', (byte)'S', (byte)'P', (byte)'J', (byte)'R', (byte)'N', (byte)'L', (byte)'1' };
        private const int HeadSize = 32;
        private const int TailSize = 8;
        private const long SparseFlag = 1, PreallocateFlag = 2;

        public static string PathFor(string path) => path + Suffix;

        public static bool Exists(string path) => RandomAccessFile.Exists(PathFor(path));

        /// <summary>Writes the journal for <paramref name="image"/>; on any failure removes what it wrote and
        /// rethrows, the file itself not yet touched.</summary>
        public static void Write(string path, RewriteImage image, bool durable)
        {
            string journal = PathFor(path);
            RandomAccessFile.Delete(journal);
            var head = new byte[HeadSize];
            Buffer.BlockCopy(Magic, 0, head, 0, Magic.Length);
            WriteInt64(head, 8, image.Data.Length);
            WriteInt64(head, 16, image.Length);
            WriteInt64(head, 24, (image.SparseTail ? SparseFlag : 0) | (image.PreallocateTail ? PreallocateFlag : 0));
            var tail = new byte[TailSize];
            WriteInt64(tail, 0, (long)Checksum(Checksum(Seed, head, 0, HeadSize), image.Data, 0, image.Data.Length));
            try
            {
                using (var j = RandomAccessFile.CreateNew(journal))
                {
                    j.Write(0, head, 0, head.Length);
                    j.Write(HeadSize, image.Data, 0, image.Data.Length);
                    j.Write(HeadSize + image.Data.Length, tail, 0, tail.Length);
                    if (durable) j.Flush();
                }
                if (durable) RandomAccessFile.FlushDirectoryOf(journal);
            }
            catch (Exception e)
            {
                try { RandomAccessFile.Delete(journal); } catch (Exception) { /* the original error matters */ }
                string message = "Could not rewrite '" + path + "': writing its journal failed, the file is unchanged: " + e.Message;
                if (e is UnauthorizedAccessException) throw new UnauthorizedAccessException(message, e);
                if (e is IOException) throw new IOException(message, e.HResult);
                throw;
            }
        }

        public static void Delete(string path) => RandomAccessFile.Delete(PathFor(path));

        /// <summary>Puts the image into the open file: the data at offset 0, zeros (or a hole) after it.</summary>
        public static void Apply(RandomAccessFile f, RewriteImage image)
        {
            f.Write(0, image.Data, 0, image.Data.Length);
            long dataEnd = image.Data.Length;
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
            if (bytes.Length < HeadSize + TailSize) return null;
            for (int i = 0; i < Magic.Length; i++)
                if (bytes[i] != Magic[i]) return null;
            long dataLength = ReadInt64(bytes, 8), length = ReadInt64(bytes, 16), flags = ReadInt64(bytes, 24);
            if (dataLength < 0 || length < dataLength || bytes.Length != HeadSize + dataLength + TailSize) return null;
            ulong sum = Checksum(Checksum(Seed, bytes, 0, HeadSize), bytes, HeadSize, (int)dataLength);
            if ((long)sum != ReadInt64(bytes, HeadSize + (int)dataLength)) return null;
            var data = new byte[dataLength];
            Buffer.BlockCopy(bytes, HeadSize, data, 0, (int)dataLength);
            return new RewriteImage(data, length, (flags & SparseFlag) != 0, (flags & PreallocateFlag) != 0);
        }

        private const ulong Seed = 0x9E3779B97F4A7C15UL;

        // A fast 64-bit mix over 8-byte words, enough to tell a complete journal from a torn one (not a defence
        // against tampering: whoever can write the journal can write the file).
        private static ulong Checksum(ulong h, byte[] data, int offset, int count)
        {
            int i = offset, end = offset + count;
            for (; i + 8 <= end; i += 8)
            {
                h ^= BitConverter.ToUInt64(data, i);
                h *= 0xFF51AFD7ED558CCDUL;
                h ^= h >> 29;
            }
            for (; i < end; i++)
            {
                h ^= data[i];
                h *= 0x100000001B3UL;
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

    /// <summary>What a file is to become: <see cref="Data"/> at offset 0, then zeros up to <see cref="Length"/>.</summary>
    internal sealed class RewriteImage
    {
        public RewriteImage(byte[] data, long length = -1, bool sparseTail = false, bool preallocateTail = false)
        {
            Data = data;
            Length = length < 0 ? data.Length : length;
            SparseTail = sparseTail;
            PreallocateTail = preallocateTail;
        }

        public byte[] Data { get; }
        public long Length { get; }
        public bool SparseTail { get; }
        public bool PreallocateTail { get; }
    }
}
