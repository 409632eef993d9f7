using System;
using System.IO;
using System.Runtime.InteropServices;

namespace WhisperPS.Engine.IO
{
    /// <summary>How a whisper file is opened.</summary>
    public enum FileOpenMode
    {
        /// <summary>Read only, under a shared lock: carbon's writers wait until the read is done.</summary>
        Read,

        /// <summary>Read and write, under an exclusive lock, as carbon takes with WHISPER_LOCK_WRITES.</summary>
        ReadWrite,
    }

    /// <summary>
    /// Positioned reads and writes on one open file, plus whole-file advisory locking that interoperates with
    /// carbon: flock(2) on Unix, LockFileEx on Windows. Every read and write names its offset, so there is no
    /// shared position to get wrong.
    /// </summary>
    internal abstract class RandomAccessFile : IDisposable
    {
        protected RandomAccessFile(string path)
        {
            Path = path;
        }

        public string Path { get; }

        public abstract long Length { get; }

        /// <summary>Reads up to <paramref name="count"/> bytes at <paramref name="offset"/>; fewer only at end of file.</summary>
        public abstract int Read(long offset, byte[] buffer, int index, int count);

        public abstract void Write(long offset, byte[] buffer, int index, int count);

        public abstract void SetLength(long length);

        /// <summary>Reserves disk blocks for the range; false where the platform or filesystem cannot.</summary>
        public abstract bool TryAllocate(long offset, long length);

        /// <summary>Lets later <see cref="SetLength"/> growth stay unallocated. Unix filesystems do that by themselves;
        /// NTFS only for a file marked sparse. False where the volume refuses.</summary>
        public virtual bool MarkSparse() => true;

        /// <summary>Blocks until the lock is granted.</summary>
        public abstract void Lock(bool exclusive);

        /// <summary>Forces written data to the device (fsync / FlushFileBuffers).</summary>
        public abstract void Flush();

        public abstract void Dispose();

        public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Opens an existing file.</summary>
        public static RandomAccessFile Open(string path, FileOpenMode mode)
        {
            var f = IsWindows ? (RandomAccessFile)StreamFile.OpenFile(path, mode) : UnixFile.OpenFile(path, mode);
            try
            {
                f.Lock(mode == FileOpenMode.ReadWrite);
            }
            catch
            {
                f.Dispose();
                throw;
            }
            return f;
        }

        /// <summary>Creates a file that must not exist yet (O_EXCL / CreateNew), for writing.</summary>
        public static RandomAccessFile CreateNew(string path)
        {
            return IsWindows ? (RandomAccessFile)StreamFile.CreateFile(path) : UnixFile.CreateFile(path);
        }

        /// <summary>Atomically puts <paramref name="source"/> at <paramref name="destination"/>, replacing it if it exists.</summary>
        public static void Replace(string source, string destination)
        {
            if (IsWindows) StreamFile.MoveReplace(source, destination);
            else UnixFile.Rename(source, destination);
        }

        /// <summary>Atomically puts <paramref name="source"/> at <paramref name="destination"/> only if nothing is there;
        /// returns false if the destination exists.</summary>
        public static bool MoveNoReplace(string source, string destination)
        {
            return IsWindows ? StreamFile.MoveIfAbsent(source, destination) : UnixFile.LinkAndRemove(source, destination);
        }

        /// <summary>Reads exactly <paramref name="count"/> bytes or reports the file as corrupt (it shrank under us).</summary>
        public void ReadExactly(long offset, byte[] buffer, int index, int count, string what)
        {
            int total = 0;
            while (total < count)
            {
                int n = Read(offset + total, buffer, index + total, count - total);
                if (n <= 0)
                    throw new CorruptWhisperFileException("Unable to read " + what + ": the file ends at byte " +
                        (offset + total) + ", " + (count - total) + " bytes short", Path);
                total += n;
            }
        }
    }
}
