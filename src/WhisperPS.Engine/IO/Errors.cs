using System;
using System.IO;
using System.Runtime.InteropServices;

namespace WhisperPS.Engine.IO
{
    /// <summary>Turns errno values into the .NET exceptions callers already know how to report.</summary>
    internal static class Errors
    {
        [DllImport("libc", EntryPoint = "strerror")]
        private static extern IntPtr strerror(int errnum);

        public static Exception FromErrno(int errno, string path)
        {
            string text;
            try { text = Marshal.PtrToStringAnsi(strerror(errno)); }
            catch (Exception) { text = "errno " + errno; }
            string msg = text + ": '" + path + "'";
            switch (errno)
            {
                case 2: // ENOENT
                    return new FileNotFoundException("Could not find file '" + path + "'.", path);
                case 20: // ENOTDIR
                    return new DirectoryNotFoundException("Could not find a part of the path '" + path + "'.");
                case 1: // EPERM
                case 13: // EACCES
                case 21: // EISDIR
                case 30: // EROFS
                    return new UnauthorizedAccessException(msg);
                case 17: // EEXIST
                    return new WhisperFileExistsException(path);
                default:
                    // ENOSPC, EIO, EDQUOT ...: IOException with the errno as HResult, like .NET does.
                    return new IOException(msg, errno);
            }
        }
    }
}
