using System;
using System.Runtime.InteropServices;
using System.Text;

namespace WhisperPS.Bench
{
    /// <summary>
    /// The system calls of one steady-state WhisperPS update() with nothing else: open, flock, lseek, the header read,
    /// then for the three archives of the bench schema a write, and per propagation a window read and an anchor read,
    /// then close (12 calls, as strace shows for the engine). Timing them for the same 10,000 updates gives the floor
    /// any implementation making these calls has on this machine, so the report can say how far the engine is above it.
    /// Without <c>safe</c>, the flock and the length check are left out (10 calls): the floor of an
    /// implementation that neither locks nor checks for truncation, as python3-whisper by default.
    /// </summary>
    internal static class SyscallFloor
    {
        public static int CallsPerUpdate(bool safe) => safe ? 12 : 10;

        public static unsafe void Run(string path, int updates, bool safe)
        {
            var name = Encoding.UTF8.GetBytes(path + "\0");
            var buffer = new byte[4096];
            // Archive offsets of 10s:1d, 1m:7d, 10m:1y: header 52 bytes, then 8,640, 10,080 and 52,560 slots of 12 bytes.
            const long a0 = 52, a1 = a0 + 8640 * 12, a2 = a1 + 10080 * 12;
            fixed (byte* b = buffer)
            {
                for (int k = 0; k < updates; k++)
                {
                    int fd = open(name, O_RDWR | O_CLOEXEC);
                    if (fd < 0) throw new InvalidOperationException("open failed: errno " + Marshal.GetLastWin32Error());
                    if (safe)
                    {
                        flock(fd, LOCK_EX);
                        lseek(fd, 0, SEEK_END);
                    }
                    pread(fd, b, 512, 0);
                    long s0 = k % 8640, s1 = k / 6 % 10080, s2 = k / 60 % 52560;
                    pwrite(fd, b + 1024, 12, a0 + s0 * 12);
                    pread(fd, b + 2048, 72, a0 + (s0 - s0 % 6) * 12);     // the 1-minute window in archive 0
                    pread(fd, b + 3072, 12, a1);                          // archive 1's anchor
                    pwrite(fd, b + 1024, 12, a1 + s1 * 12);
                    pread(fd, b + 3072, 12, a2);                          // archive 2's anchor
                    pread(fd, b + 2048, 120, a1 + (s1 - s1 % 10) * 12);   // the 10-minute window in archive 1
                    pwrite(fd, b + 1024, 12, a2 + s2 * 12);
                    close(fd);
                }
            }
        }

        private const int O_RDWR = 2, O_CLOEXEC = 0x80000, LOCK_EX = 2, SEEK_END = 2;

        [DllImport("libc", SetLastError = true)]
        private static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        private static extern int flock(int fd, int operation);

        [DllImport("libc", SetLastError = true)]
        private static extern long lseek(int fd, long offset, int whence);

        [DllImport("libc", SetLastError = true)]
        private static extern unsafe IntPtr pread(int fd, byte* buf, UIntPtr count, long offset);

        [DllImport("libc", SetLastError = true)]
        private static extern unsafe IntPtr pwrite(int fd, byte* buf, UIntPtr count, long offset);

        private static unsafe void pread(int fd, byte* buf, int count, long offset) => pread(fd, buf, (UIntPtr)(uint)count, offset);

        private static unsafe void pwrite(int fd, byte* buf, int count, long offset) => pwrite(fd, buf, (UIntPtr)(uint)count, offset);
    }
}
