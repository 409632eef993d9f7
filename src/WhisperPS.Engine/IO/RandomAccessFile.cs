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

        /// <summary>Takes the lock if nobody holds a conflicting one; false otherwise, without waiting.</summary>
        public abstract bool TryLock(bool exclusive);

        /// <summary>
        /// Waits for the lock at most <paramref name="timeout"/> (null: as long as it takes), polling a non-blocking
        /// lock with a backoff from 1 ms up to 50 ms, so a bounded wait works the same with flock and LockFileEx.
        /// </summary>
        public void Lock(bool exclusive, TimeSpan? timeout)
        {
            if (timeout == null)
            {
                Lock(exclusive);
                return;
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            int pause = 1;
            while (!TryLock(exclusive))
            {
                var left = timeout.Value - clock.Elapsed;
                if (left <= TimeSpan.Zero) throw new LockTimeoutException(Path, exclusive, timeout.Value);
                System.Threading.Thread.Sleep((int)Math.Max(1, Math.Min(pause, left.TotalMilliseconds)));
                pause = Math.Min(pause * 2, 50);
            }
        }

        /// <summary>Forces written data to the device (fsync / FlushFileBuffers).</summary>
        public abstract void Flush();

        /// <summary>Whether <see cref="Flush"/> of a newly created file also makes its name durable, so its folder
        /// needs no fsync of its own. False unless the filesystem is known to (see <see cref="RewriteJournal"/>).</summary>
        public virtual bool FlushPersistsNewName() => false;

        public abstract void Dispose();

        public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>Opens an existing file, waiting for its lock as long as it takes.</summary>
        public static RandomAccessFile Open(string path, FileOpenMode mode) => Open(path, mode, null);

        /// <summary>
        /// Opens an existing file and takes its lock, waiting at most <paramref name="lockTimeout"/> (null: no
        /// limit). A writer then checks that the path still names the file it locked (another tool may have renamed
        /// a new file over it while we waited) and reopens if not, so it never writes into a replaced inode. Any
        /// opener finishes or discards a rewrite journal left by a killed WhisperPS before it reads (see
        /// <see cref="RewriteJournal"/>).
        /// </summary>
        public static RandomAccessFile Open(string path, FileOpenMode mode, TimeSpan? lockTimeout)
        {
            for (int attempt = 0; ; attempt++)
            {
                var f = IsWindows ? (RandomAccessFile)StreamFile.OpenFile(path, mode) : UnixFile.OpenFile(path, mode);
                bool keep = false;
                try
                {
                    f.Lock(mode == FileOpenMode.ReadWrite, lockTimeout);
                    if (mode == FileOpenMode.ReadWrite && !f.IsStillAtPath())
                    {
                        if (attempt >= MaxReopens)
                            throw new IOException("Could not open '" + path + "': it was replaced " + attempt + " times while waiting for its lock.");
                        continue;
                    }
                    if (RewriteJournal.Exists(path) && !JournalReuse.IsKept(RewriteJournal.PathFor(path)))
                    {
                        if (mode == FileOpenMode.ReadWrite) RewriteJournal.Recover(f, path);
                        else
                        {
                            f.Dispose();
                            RewriteJournal.Recover(path);
                            continue;
                        }
                    }
                    keep = true;
                    return f;
                }
                finally
                {
                    if (!keep) f.Dispose();
                }
            }
        }

        private const int MaxReopens = 100;

        /// <summary>Whether the path still names the open file; true where the platform cannot tell.</summary>
        public virtual bool IsStillAtPath() => true;

        /// <summary>Whether a file exists, as cheaply as the platform allows.</summary>
        public static bool Exists(string path) => IsWindows ? File.Exists(path) : UnixFile.PathExists(path);

        /// <summary>Removes a file; a missing one is not an error.</summary>
        public static void Delete(string path)
        {
            if (IsWindows) File.Delete(path);
            else UnixFile.Unlink(path);
        }

        /// <summary>Makes a directory entry change durable where the platform needs it (fsync of the directory on Unix).</summary>
        public static void FlushDirectoryOf(string path)
        {
            if (IsWindows) return;
            string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) UnixFile.FlushDirectory(dir);
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
