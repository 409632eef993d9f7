using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;

namespace WhisperPS.Engine.Tests.Windows
{
    /// <summary>
    /// What only the Windows code path does: LockFileEx between processes, FileShare modes, MoveFileEx over a file
    /// another process holds, FSCTL_SET_SPARSE, and Windows path forms. The other process is WhisperPS.Stress
    /// ('hold' mode), built for Windows too, so both sides of every lock are the engine's Windows code.
    /// </summary>
    [Collection("processes")]
    public sealed class WindowsFileTests : IDisposable
    {
        private static readonly TimeSpan Blocked = TimeSpan.FromSeconds(3);   // how long a blocked side is watched
        private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90); // what a released side may take
        private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        private string NewFile(string name = "f.wsp")
        {
            string path = _dir.File(name);
            WhisperFile.Create(path, new[] { new ArchiveSpec(1, 600), new ArchiveSpec(60, 60) });
            return path;
        }

        /// <summary>A Stress process holding <paramref name="path"/> as <paramref name="how"/> says, released by
        /// <see cref="Holder.Release"/>.</summary>
        private sealed class Holder : IDisposable
        {
            private readonly string _release;
            public StressProcess Process { get; }

            public Holder(string path, string how, string release)
            {
                _release = release;
                Process = StressProcess.Start(new[] { "hold", path, how, release });
            }

            public static Holder Ready(string path, string how, string release)
            {
                var h = new Holder(path, how, release);
                Assert.True(h.Process.WaitReady(Generous), "the holder (" + how + ") never got the file: " + h.Process.Stderr);
                return h;
            }

            public void Release()
            {
                File.WriteAllText(_release, "go");
                Assert.Equal(0, Process.WaitExit(Generous));
            }

            public void Dispose()
            {
                try { File.WriteAllText(_release, "go"); } catch (IOException) { }
                Process.Dispose();
            }
        }

        [Fact]
        public void RunsOnTheWindowsCodePath()
        {
            Assert.True(RuntimeInformation.IsOSPlatform(OSPlatform.Windows));
            Assert.True(RandomAccessFile.IsWindows);
            Assert.Equal('\\', Path.DirectorySeparatorChar);
            Assert.Matches("^[A-Za-z]:\\\\", _dir.Path);
        }

        [Theory]
        [InlineData("write", "write")]
        [InlineData("write", "read")]
        [InlineData("read", "write")]
        public void LockFileExExcludesBetweenTwoProcesses(string first, string second)
        {
            string path = NewFile();
            using (var a = Holder.Ready(path, first, _dir.File("a.release")))
            using (var b = new Holder(path, second, _dir.File("b.release")))
            {
                Assert.False(b.Process.WaitReady(Blocked), second + " got the file while another process held it for " + first);
                // This process is a third party and must wait the same way.
                var mode = second == "write" ? FileOpenMode.ReadWrite : FileOpenMode.Read;
                var mine = Task.Run(() => { using (WhisperFile.Open(path, mode)) { } });
                Assert.False(mine.Wait(TimeSpan.FromSeconds(1)), "this process opened the file for " + second + " while another held it for " + first);
                a.Release();
                Assert.True(b.Process.WaitReady(Generous), second + " never got the file after the " + first + " lock was released: " + b.Process.Stderr);
                b.Release();
                Assert.True(mine.Wait(Generous), "this process never got the file after both released it");
            }
        }

        [Fact]
        public void ReadersShareTheFile()
        {
            string path = NewFile();
            using (var a = Holder.Ready(path, "read", _dir.File("a.release")))
            using (var b = Holder.Ready(path, "read", _dir.File("b.release")))
            {
                using (var f = WhisperFile.Open(path)) Assert.Equal(2, f.Header.Archives.Count);
                a.Release();
                b.Release();
            }
        }

        [Fact]
        public void AWriterInAnotherProcessWaitsForThisProcessAndItsPointsLand()
        {
            string path = NewFile();
            long t = Now - 100;
            Task<int?> done;
            StressProcess writer;
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                writer = StressProcess.Start(new[] { "write", path, t.ToString(), "10", "1", "10", "1", "many" });
                done = Task.Run(() => writer.WaitExit(Generous));
                Assert.False(done.Wait(Blocked), "the other process wrote while this one held the exclusive lock: " + writer.Stderr);
                f.Update(7.5, t - 1, Now);
            }
            using (writer)
            {
                Assert.Equal(0, done.Result);
                var r = W.Fetch(path, t - 10, t + 10, Now);
                Assert.Equal(11, r.Values.Count(v => v.HasValue));
            }
        }

        [Fact]
        public void OtherProgramsMayReadAndWriteWhileWeHoldTheFile()
        {
            // The engine shares read, write and delete, so a backup tool or carbon opening the file is not refused.
            string path = NewFile();
            using (WhisperFile.Open(path, FileOpenMode.ReadWrite))
            using (var other = Holder.Ready(path, "share-readwrite", _dir.File("r.release")))
                other.Release();
        }

        [Fact]
        public void AProgramThatDeniesWritersGetsAClearErrorForWritesButNotReads()
        {
            string path = NewFile();
            using (var other = Holder.Ready(path, "share-read", _dir.File("r.release")))
            {
                var e = Assert.ThrowsAny<IOException>(() => WhisperFile.Open(path, FileOpenMode.ReadWrite));
                Assert.Contains(Path.GetFileName(path), e.Message);
                using (var f = WhisperFile.Open(path)) Assert.Equal(2, f.Header.Archives.Count);
                other.Release();
            }
        }

        [Fact]
        public void AProgramThatDeniesAllSharingGetsAClearErrorNamingTheFile()
        {
            string path = NewFile();
            using (var other = Holder.Ready(path, "share-none", _dir.File("r.release")))
            {
                var e = Assert.ThrowsAny<IOException>(() => WhisperFile.Open(path));
                Assert.Contains(Path.GetFileName(path), e.Message);
                other.Release();
            }
            using (var f = WhisperFile.Open(path)) Assert.Equal(2, f.Header.Archives.Count);
        }

        [Theory]
        [InlineData("read")]
        [InlineData("share-readwrite")]
        public void CreateOverwriteWhileAnotherProcessHoldsTheFile(string how)
        {
            string path = NewFile();
            using (var other = Holder.Ready(path, how, _dir.File("r.release")))
            {
                var create = Task.Run(() => WhisperFile.Create(path, new[] { new ArchiveSpec(10, 10) }, 0.5,
                    AggregationMethod.Sum, new CreateOptions { Overwrite = true }));
                // Rewritten in place under the file's lock: it waits for a reader's shared lock, while a holder
                // without a lock (sharing read and write) is no obstacle.
                bool early = ((IAsyncResult)create).AsyncWaitHandle.WaitOne(Blocked);
                if (how == "read") Assert.False(early, "create -Force did not wait for the reader in the other process");
                other.Release();
                Assert.True(((IAsyncResult)create).AsyncWaitHandle.WaitOne(Generous), "create -Force never finished");
                create.GetAwaiter().GetResult(); // its exception, if any
            }
            var h = WhisperFile.ReadHeader(path);
            Assert.Equal(AggregationMethod.Sum, h.AggregationMethod);
            Assert.Single(h.Archives);
            Assert.Equal(new[] { "f.wsp" }, Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Where(n => n.EndsWith(".wsp") || n.EndsWith(".tmp")).ToArray());
        }

        [Fact]
        public void SparseCreateLeavesTheDataUnallocated()
        {
            // 1 s for 2,000,000 points: 24 MB of data, none of it written.
            string sparse = _dir.File("sparse.wsp"), full = _dir.File("full.wsp");
            var archives = new[] { new ArchiveSpec(1, 2000000) };
            WhisperFile.Create(sparse, archives, 0.5, AggregationMethod.Average, new CreateOptions { Sparse = true });
            WhisperFile.Create(full, archives);
            Assert.Equal(new FileInfo(full).Length, new FileInfo(sparse).Length);
            long sparseAlloc = AllocationSize(sparse), fullAlloc = AllocationSize(full);
            Assert.True(fullAlloc >= new FileInfo(full).Length, "the written file has only " + fullAlloc + " bytes allocated");
            Assert.True(sparseAlloc < 1 << 20, "the sparse file has " + sparseAlloc + " bytes allocated");
            // NTFS reports the attribute; Wine accepts FSCTL_SET_SPARSE but neither keeps nor reports it (its files
            // are sparse on the Linux side anyway), so here the request itself must be accepted.
            if ((File.GetAttributes(sparse) & FileAttributes.SparseFile) == 0)
            {
                string probe = _dir.File("probe.tmp");
                using (var f = RandomAccessFile.CreateNew(probe)) Assert.True(f.MarkSparse(), "FSCTL_SET_SPARSE was refused: " + Marshal.GetLastWin32Error());
            }
            W.UpdateMany(sparse, Now, new Point(Now - 5, 1.5));
            Assert.Single(W.Fetch(sparse, Now - 60, Now, Now).Values.Where(v => v.HasValue));
        }

        [Fact]
        public void WindowsPathFormsNameTheSameFile()
        {
            long now = Now; // one clock reading, so the five points land in five slots
            string dir = Path.Combine(_dir.Path, "dir with spaces ünïcødé 東京");
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, "Métric Ωmega.wsp");
            WhisperFile.Create(path, new[] { new ArchiveSpec(1, 60) });
            W.UpdateMany(path.ToUpperInvariant(), now, new Point(now - 1, 2.5));                  // case-insensitive
            W.UpdateMany(path.Replace('\\', '/'), now, new Point(now - 2, 3.5));                   // forward slashes
            string drive = path.Substring(0, 2);                                                   // "C:"
            string saved = Environment.CurrentDirectory;
            try
            {
                // Relative forms resolve against the current directory, which is on C: now (the run starts on Z:).
                Environment.CurrentDirectory = dir;
                W.UpdateMany(path.Substring(2), now, new Point(now - 3, 4.5));                     // root-relative \...
                W.UpdateMany("Métric Ωmega.wsp", now, new Point(now - 4, 5.5));                   // relative
                W.UpdateMany(drive + "Métric Ωmega.wsp", now, new Point(now - 5, 6.5));           // drive-relative C:name
            }
            finally
            {
                Environment.CurrentDirectory = saved;
            }
            Assert.Equal(5, W.Fetch(path, now - 30, now, now).Values.Count(v => v.HasValue));
            Assert.Throws<WhisperFileExistsException>(() => WhisperFile.Create(path.ToLowerInvariant(), new[] { new ArchiveSpec(1, 60) }));
            var e = Assert.Throws<ArgumentException>(() => WhisperFile.Merge(path, path.ToUpperInvariant().Replace('\\', '/'), null, null, Now));
            Assert.Contains("into itself", e.Message);
            Assert.Equal(new[] { "Métric Ωmega.wsp" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        }

        private static long AllocationSize(string path)
        {
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                var info = new FileStandardInfo();
                Assert.True(GetFileInformationByHandleEx(fs.SafeFileHandle, 1 /* FileStandardInfo */, out info, Marshal.SizeOf<FileStandardInfo>()),
                    "GetFileInformationByHandleEx failed: " + Marshal.GetLastWin32Error());
                return info.AllocationSize;
            }
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct FileStandardInfo
        {
            public long AllocationSize;
            public long EndOfFile;
            public uint NumberOfLinks;
            public byte DeletePending;
            public byte Directory;
        }

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool GetFileInformationByHandleEx(Microsoft.Win32.SafeHandles.SafeFileHandle handle, int infoClass, out FileStandardInfo info, int size);
    }
}
