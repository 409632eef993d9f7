using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;

namespace WhisperPS.Engine.IO
{
    /// <summary>
    /// A file opened with libc directly. .NET's FileStream takes its own non-blocking flock on Unix and fails
    /// with a sharing violation whenever carbon holds its lock, so we open, lock and do I/O ourselves.
    /// </summary>
    internal sealed class UnixFile : RandomAccessFile
    {
        private int _fd;

        private UnixFile(string path, int fd) : base(path)
        {
            _fd = fd;
        }

        private static bool IsMac => RuntimeInformation.IsOSPlatform(OSPlatform.OSX);

        // open(2) flag values differ between Linux and the BSDs/macOS.
        private static int O_RDONLY => 0;
        private static int O_RDWR => 2;
        private static int O_CREAT => IsMac ? 0x200 : 0x40;
        private static int O_EXCL => IsMac ? 0x800 : 0x80;
        private static int O_CLOEXEC => IsMac ? 0x1000000 : 0x80000;

        // Linux O_TMPFILE (__O_TMPFILE | O_DIRECTORY); O_DIRECTORY differs between the x86 and ARM families.
        private static int O_TMPFILE
        {
            get
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return 0;
                switch (RuntimeInformation.ProcessArchitecture)
                {
                    case Architecture.X64:
                    case Architecture.X86: return 0x400000 | 0x10000;
                    case Architecture.Arm64:
                    case Architecture.Arm: return 0x400000 | 0x4000;
                    default: return 0;
                }
            }
        }

        private static readonly bool ProcFdAvailable = Directory.Exists("/proc/self/fd");

        private const int EINTR = 4;
        private const int EISDIR = 21;
        private const int LOCK_SH = 1;
        private const int LOCK_EX = 2;
        private const int LOCK_NB = 4;
        private static int EWOULDBLOCK => IsMac ? 35 : 11;
        private const int SEEK_END = 2;

        public static UnixFile OpenFile(string path, FileOpenMode mode)
        {
            int flags = (mode == FileOpenMode.ReadWrite ? O_RDWR : O_RDONLY) | O_CLOEXEC;
            return new UnixFile(path, OpenFd(path, flags, 0));
        }

        public static UnixFile CreateFile(string path)
        {
            // 0666 before the umask, as Python's open(path, 'wb') gives.
            return new UnixFile(path, OpenFd(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, Convert.ToInt32("666", 8)));
        }

        private static int OpenFd(string path, int flags, int mode)
        {
            while (true)
            {
                int fd = Native.open(Utf8(path), flags, mode);
                // A directory opened read-only is not caught here (that would cost a stat per open); its first
                // read fails, and WhisperFile.Open reports it with the same message.
                if (fd >= 0) return fd;
                int errno = Marshal.GetLastWin32Error();
                if (errno == EINTR) continue;
                if (errno == EISDIR) throw IsDirectory(path);
                throw Errors.FromErrno(errno, path);
            }
        }

        public static Exception IsDirectory(string path)
        {
            return new UnauthorizedAccessException("'" + path + "' is a directory, not a whisper file.");
        }

        public override long Length
        {
            get
            {
                long n = Native.lseek(_fd, 0, SEEK_END);
                if (n < 0) throw Errors.FromErrno(Marshal.GetLastWin32Error(), Path);
                return n;
            }
        }

        public override unsafe int Read(long offset, byte[] buffer, int index, int count)
        {
            if (count == 0) return 0;
            fixed (byte* p = &buffer[index])
            {
                while (true)
                {
                    long n = (long)Native.pread(_fd, p, (UIntPtr)(uint)count, offset);
                    if (n >= 0) return (int)n;
                    int errno = Marshal.GetLastWin32Error();
                    if (errno != EINTR) throw Errors.FromErrno(errno, Path);
                }
            }
        }

        public override unsafe void Write(long offset, byte[] buffer, int index, int count)
        {
            if (count == 0) return;
            fixed (byte* p = &buffer[index])
            {
                int done = 0;
                while (done < count)
                {
                    long n = (long)Native.pwrite(_fd, p + done, (UIntPtr)(uint)(count - done), offset + done);
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastWin32Error();
                        if (errno == EINTR) continue;
                        throw Errors.FromErrno(errno, Path);
                    }
                    done += (int)n;
                }
            }
        }

        public override void SetLength(long length)
        {
            while (Native.ftruncate(_fd, length) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (errno != EINTR) throw Errors.FromErrno(errno, Path);
            }
        }

        public override bool TryAllocate(long offset, long length)
        {
            if (IsMac || length <= 0) return false;
            try
            {
                // posix_fallocate returns the error number instead of setting errno.
                int rc;
                do { rc = Native.posix_fallocate(_fd, offset, length); } while (rc == EINTR);
                if (rc == 0) return true;
                const int ENOSPC = 28;
                if (rc == ENOSPC) throw Errors.FromErrno(rc, Path);
                return false; // EOPNOTSUPP and friends: the caller writes zeros instead.
            }
            catch (EntryPointNotFoundException)
            {
                return false;
            }
        }

        public override void Lock(bool exclusive)
        {
            while (Native.flock(_fd, exclusive ? LOCK_EX : LOCK_SH) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (errno != EINTR) throw Errors.FromErrno(errno, Path);
            }
        }

        public override bool TryLock(bool exclusive)
        {
            while (Native.flock(_fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (errno == EWOULDBLOCK) return false;
                if (errno != EINTR) throw Errors.FromErrno(errno, Path);
            }
            return true;
        }

        public override void Flush()
        {
            if (Native.fsync(_fd) != 0) throw Errors.FromErrno(Marshal.GetLastWin32Error(), Path);
        }

        /// <summary>
        /// Linux ext4, XFS and btrfs: their fsync of a new file commits the directory entry that created it too
        /// (ext4 and XFS commit their metadata journal in order up to the file's last change, which follows its
        /// creation; ext4 without a journal and btrfs log a new file's name on its fsync). fstatfs's f_type is the
        /// first field of struct statfs, a word on 64-bit Linux; anywhere else the answer is false.
        /// </summary>
        public override unsafe bool FlushPersistsNewName()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || IntPtr.Size != 8) return false;
            byte* buffer = stackalloc byte[StatBufferSize];
            if (Native.fstatfs(_fd, buffer) != 0) return false;
            long type = *(long*)buffer;
            const long Ext4 = 0xEF53, Xfs = 0x58465342, Btrfs = 0x9123683E;
            return type == Ext4 || type == Xfs || type == Btrfs;
        }

        public override void Dispose()
        {
            // Closing the descriptor releases the flock.
            if (_fd >= 0)
            {
                Native.close(_fd);
                _fd = -1;
            }
        }

        // struct stat: st_dev then st_ino in the first 16 bytes on Linux x86-64 and the generic (ARM) layout; on
        // macOS st_dev is 4 bytes at 0 and st_ino 8 bytes at 8. 256 bytes covers every layout.
        internal const int StatBufferSize = 256;

        /// <summary>
        /// Whether the path still names the file this descriptor has open. A writer that waited for the lock of a
        /// file another tool renamed a new file over would otherwise write into the old, unlinked inode and lose
        /// its points. True where the check is not available, so nothing breaks on exotic systems.
        /// </summary>
        public override unsafe bool IsStillAtPath()
        {
            byte* mine = stackalloc byte[StatBufferSize];
            byte* named = stackalloc byte[StatBufferSize];
            try
            {
                if (Native.fstat(_fd, mine) != 0) return true;
                if (Native.stat(Utf8(Path), named) != 0)
                {
                    const int ENOENT = 2;
                    return Marshal.GetLastWin32Error() != ENOENT; // gone: the file was replaced or removed
                }
            }
            catch (EntryPointNotFoundException)
            {
                return true; // libc before 2.33 exports only __xstat; the check is skipped there
            }
            if (IsMac)
                return *(int*)mine == *(int*)named && *(long*)(mine + 8) == *(long*)(named + 8);
            return *(long*)mine == *(long*)named && *(long*)(mine + 8) == *(long*)(named + 8);
        }

        /// <summary>One access(2) call: cheap enough for every open.</summary>
        public static bool PathExists(string path)
        {
            const int F_OK = 0;
            return Native.access(Utf8(path), F_OK) == 0;
        }

        /// <summary>fsync of a directory, so a file created or removed in it survives a power loss.</summary>
        public static void FlushDirectory(string directory)
        {
            int fd = Native.open(Utf8(directory), O_RDONLY | O_CLOEXEC, 0);
            if (fd < 0) return; // best effort: some filesystems refuse to open directories
            try { Native.fsync(fd); }
            finally { Native.close(fd); }
        }

        public static void Unlink(string path)
        {
            if (Native.unlink(Utf8(path)) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                const int ENOENT = 2;
                if (errno != ENOENT) throw Errors.FromErrno(errno, path);
            }
        }

        public static void Rename(string source, string destination)
        {
            if (Native.rename(Utf8(source), Utf8(destination)) != 0)
                throw Errors.FromErrno(Marshal.GetLastWin32Error(), destination);
        }

        /// <summary>
        /// An unnamed new file in <paramref name="directory"/> (Linux O_TMPFILE), to be given its name by
        /// <see cref="TryLinkAs"/> once complete: one directory change instead of create + link + unlink. Null where
        /// the kernel, filesystem or architecture cannot, or on any error, so the caller falls back to a temp name
        /// and reports errors exactly as before. <paramref name="path"/> names the file in messages.
        /// </summary>
        public static UnixFile TryCreateUnnamed(string directory, string path)
        {
            int flags = O_TMPFILE;
            if (flags == 0 || !ProcFdAvailable) return null;
            while (true)
            {
                int fd = Native.open(Utf8(directory), flags | O_RDWR | O_CLOEXEC, Convert.ToInt32("666", 8));
                if (fd >= 0) return new UnixFile(path, fd);
                if (Marshal.GetLastWin32Error() != EINTR) return null;
            }
        }

        /// <summary>Names an unnamed file; false if something already has that name (linkat never replaces).</summary>
        public bool TryLinkAs(string destination)
        {
            const int AT_FDCWD = -100, AT_SYMLINK_FOLLOW = 0x400, EEXIST = 17;
            if (Native.linkat(AT_FDCWD, Utf8("/proc/self/fd/" + _fd.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    AT_FDCWD, Utf8(destination), AT_SYMLINK_FOLLOW) == 0)
                return true;
            int errno = Marshal.GetLastWin32Error();
            if (errno == EEXIST) return false;
            throw Errors.FromErrno(errno, destination);
        }

        public static bool LinkAndRemove(string source, string destination)
        {
            // link(2) fails with EEXIST instead of replacing: an atomic create-if-absent.
            if (Native.link(Utf8(source), Utf8(destination)) == 0)
            {
                Native.unlink(Utf8(source));
                return true;
            }
            int errno = Marshal.GetLastWin32Error();
            const int EEXIST = 17;
            if (errno == EEXIST) return false;
            // Filesystems without hard links: check, then rename (a small race, as whisper itself has).
            if (File.Exists(destination) || Directory.Exists(destination)) return false;
            Rename(source, destination);
            return true;
        }

        // NUL-terminated UTF-8, the encoding Unix file names use; netstandard2.0 cannot marshal it by itself.
        internal static byte[] Utf8(string s)
        {
            var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
            System.Text.Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        internal static class Native
        {
            [DllImport("libc", SetLastError = true)]
            public static extern int open(byte[] path, int flags, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int close(int fd);

            [DllImport("libc", SetLastError = true)]
            public static extern unsafe IntPtr pread(int fd, byte* buf, UIntPtr count, long offset);

            [DllImport("libc", SetLastError = true)]
            public static extern unsafe IntPtr pwrite(int fd, byte* buf, UIntPtr count, long offset);

            [DllImport("libc", SetLastError = true)]
            public static extern long lseek(int fd, long offset, int whence);

            [DllImport("libc", SetLastError = true)]
            public static extern int ftruncate(int fd, long length);

            [DllImport("libc", SetLastError = true)]
            public static extern int posix_fallocate(int fd, long offset, long length);

            [DllImport("libc", SetLastError = true)]
            public static extern int flock(int fd, int operation);

            [DllImport("libc", SetLastError = true)]
            public static extern int fsync(int fd);

            [DllImport("libc", SetLastError = true)]
            public static extern unsafe int fstatfs(int fd, byte* buffer);

            [DllImport("libc", SetLastError = true)]
            public static extern int rename(byte[] oldPath, byte[] newPath);

            [DllImport("libc", SetLastError = true)]
            public static extern int link(byte[] oldPath, byte[] newPath);

            [DllImport("libc", SetLastError = true)]
            public static extern int unlink(byte[] path);

            [DllImport("libc", SetLastError = true)]
            public static extern int access(byte[] path, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern unsafe int fstat(int fd, byte* buffer);

            [DllImport("libc", SetLastError = true)]
            public static extern unsafe int stat(byte[] path, byte* buffer);

            [DllImport("libc", SetLastError = true)]
            public static extern int chmod(byte[] path, int mode);

            [DllImport("libc", SetLastError = true)]
            public static extern int chown(byte[] path, int uid, int gid);

            [DllImport("libc", SetLastError = true)]
            public static extern int linkat(int oldDirFd, byte[] oldPath, int newDirFd, byte[] newPath, int flags);
        }
    }
}
