using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.Win32.SafeHandles;

namespace WhisperPS.Engine.IO
{
    /// <summary>
    /// Windows: a FileStream opened so that other readers and writers may share the file, locked with
    /// LockFileEx over the whole file (blocking), which is how Windows tools coordinate the same way flock does.
    /// </summary>
    internal sealed class StreamFile : RandomAccessFile
    {
        private readonly FileStream _stream;

        private StreamFile(string path, FileStream stream) : base(path)
        {
            _stream = stream;
        }

        public static StreamFile OpenFile(string path, FileOpenMode mode)
        {
            var access = mode == FileOpenMode.ReadWrite ? FileAccess.ReadWrite : FileAccess.Read;
            var fs = new FileStream(path, FileMode.Open, access, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
            return new StreamFile(path, fs);
        }

        public static StreamFile CreateFile(string path)
        {
            try
            {
                var fs = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
                return new StreamFile(path, fs);
            }
            catch (IOException) when (File.Exists(path))
            {
                throw new WhisperFileExistsException(path);
            }
        }

        public override long Length => _stream.Length;

        public override int Read(long offset, byte[] buffer, int index, int count)
        {
            _stream.Position = offset;
            int total = 0;
            while (total < count)
            {
                int n = _stream.Read(buffer, index + total, count - total);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }

        public override void Write(long offset, byte[] buffer, int index, int count)
        {
            _stream.Position = offset;
            _stream.Write(buffer, index, count);
            _stream.Flush(false);
        }

        public override void SetLength(long length) => _stream.SetLength(length);

        // SetEndOfFile already reserves the clusters on NTFS.
        public override bool TryAllocate(long offset, long length) => false;

        public override void Lock(bool exclusive)
        {
            if (!IsWindows) return; // a FileStream fallback on other systems relies on FileShare alone
            var overlapped = new NativeOverlapped();
            const int LOCKFILE_EXCLUSIVE_LOCK = 2;
            if (!LockFileEx(_stream.SafeFileHandle, exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0, 0, uint.MaxValue, uint.MaxValue, ref overlapped))
                throw new IOException("Could not lock '" + Path + "': " + new Win32Exception(Marshal.GetLastWin32Error()).Message);
        }

        public override bool TryLock(bool exclusive)
        {
            if (!IsWindows) return true;
            var overlapped = new NativeOverlapped();
            const int LOCKFILE_FAIL_IMMEDIATELY = 1, LOCKFILE_EXCLUSIVE_LOCK = 2, ERROR_LOCK_VIOLATION = 33, ERROR_IO_PENDING = 997;
            if (LockFileEx(_stream.SafeFileHandle, LOCKFILE_FAIL_IMMEDIATELY | (exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0), 0, uint.MaxValue, uint.MaxValue, ref overlapped))
                return true;
            int error = Marshal.GetLastWin32Error();
            if (error == ERROR_LOCK_VIOLATION || error == ERROR_IO_PENDING) return false;
            throw new IOException("Could not lock '" + Path + "': " + new Win32Exception(error).Message);
        }

        public override void Flush() => _stream.Flush(true);

        public override void Dispose() => _stream.Dispose(); // closing the handle releases the lock

        public static void MoveReplace(string source, string destination)
        {
            const int MOVEFILE_REPLACE_EXISTING = 1, MOVEFILE_WRITE_THROUGH = 8;
            if (!MoveFileEx(source, destination, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
                throw new IOException("Could not replace '" + destination + "': " + new Win32Exception(Marshal.GetLastWin32Error()).Message);
        }

        public static bool MoveIfAbsent(string source, string destination)
        {
            const int MOVEFILE_WRITE_THROUGH = 8;
            if (MoveFileEx(source, destination, MOVEFILE_WRITE_THROUGH)) return true;
            int err = Marshal.GetLastWin32Error();
            const int ERROR_FILE_EXISTS = 80, ERROR_ALREADY_EXISTS = 183;
            if (err == ERROR_FILE_EXISTS || err == ERROR_ALREADY_EXISTS) return false;
            throw new IOException("Could not create '" + destination + "': " + new Win32Exception(err).Message);
        }

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool LockFileEx(SafeFileHandle handle, int flags, uint reserved, uint lengthLow, uint lengthHigh, ref NativeOverlapped overlapped);

        [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        private static extern bool MoveFileEx(string existing, string newName, int flags);
    }
}
