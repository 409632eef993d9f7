using System;
using System.IO;
using System.Runtime.InteropServices;

namespace WhisperPS.Engine.IO
{
    /// <summary>
    /// Owner, group and permission bits of files WhisperPS creates beside carbon's. Carbon usually runs as its own user
    /// and writes only files that user may write; a copy made by an admin as root would otherwise be root's, 0644, and
    /// every point carbon later sends to it would fail to be written. On Windows new files inherit the folder's ACL,
    /// so nothing is done there.
    /// </summary>
    internal static class FileOwnership
    {
        /// <summary>Owner, group and the permission bits (mode &amp; 07777) of a file or folder.</summary>
        internal struct Owner
        {
            public int Uid;
            public int Gid;
            public int Mode;
        }

        internal static bool IsSupported =>
            !RandomAccessFile.IsWindows && (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX));

        /// <summary>stat(2) of a path; false where the layout of struct stat is not known here.</summary>
        internal static unsafe bool TryGet(string path, out Owner owner)
        {
            owner = default(Owner);
            if (!IsSupported) return false;
            byte* buf = stackalloc byte[UnixFile.StatBufferSize];
            int rc;
            try { rc = UnixFile.Native.stat(UnixFile.Utf8(path), buf); }
            catch (EntryPointNotFoundException) { return false; } // glibc before 2.33 exports only __xstat
            if (rc != 0) throw Errors.FromErrno(Marshal.GetLastWin32Error(), path);
            int modeOffset, uidOffset, gidOffset;
            bool shortMode = false;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) { modeOffset = 4; shortMode = true; uidOffset = 16; gidOffset = 20; }
            else if (RuntimeInformation.OSArchitecture == Architecture.X64) { modeOffset = 24; uidOffset = 28; gidOffset = 32; }
            else if (RuntimeInformation.OSArchitecture == Architecture.Arm64) { modeOffset = 16; uidOffset = 24; gidOffset = 28; }
            else return false;
            owner.Mode = (shortMode ? *(ushort*)(buf + modeOffset) : *(int*)(buf + modeOffset)) & 0xFFF;
            owner.Uid = *(int*)(buf + uidOffset);
            owner.Gid = *(int*)(buf + gidOffset);
            return true;
        }

        /// <summary>Gives a path the owner, group and mode; the mode first, so an owner that may not give the file
        /// away still gets the bits right. Throws if the owner cannot be set: a file carbon could not write must not
        /// be left in carbon's tree looking finished.</summary>
        internal static void Set(string path, Owner current, Owner wanted)
        {
            if (current.Mode != wanted.Mode && UnixFile.Native.chmod(UnixFile.Utf8(path), wanted.Mode) != 0)
                throw Errors.FromErrno(Marshal.GetLastWin32Error(), path);
            if ((current.Uid != wanted.Uid || current.Gid != wanted.Gid) && UnixFile.Native.chown(UnixFile.Utf8(path), wanted.Uid, wanted.Gid) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                throw new UnauthorizedAccessException("Cannot give '" + path + "' the owner " + wanted.Uid + ":" + wanted.Gid +
                    " of the storage root (errno " + errno + "): carbon, running as that user, could not write to it. Run as root or as that user.");
            }
        }
    }
}
