using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using Xunit;
using Xunit.Abstractions;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// Disk full, read-only filesystems and permission denied: a clear error naming the file, and the original
    /// left exactly as it was. Uses a 64 KiB tmpfs (we run as root, here and in CI); if it cannot be mounted the
    /// test fails rather than skipping.
    /// </summary>
    [Trait(Needs.Trait, Needs.Mount)]
    [Collection("processes")]
    public sealed class CrashFilesystemTests : IDisposable
    {
        private readonly ITestOutputHelper _out;
        private readonly string _mount;
        private bool _mounted;

        public CrashFilesystemTests(ITestOutputHelper output)
        {
            _out = output;
            _mount = Path.Combine(Path.GetTempPath(), "whisperps-fs-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_mount);
        }

        public void Dispose()
        {
            if (_mounted)
            {
                try { CarbonCache.Run("/bin/umount", _mount); } catch (Exception e) { _out.WriteLine("umount failed: " + e.Message); }
            }
            try { Directory.Delete(_mount, true); } catch (IOException) { }
        }

        private void MountTmpfs(string size)
        {
            CarbonCache.Run("/bin/mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0777", "tmpfs", _mount);
            _mounted = true;
        }

        private static List<Point> Points(long first, int count, int step = 1) =>
            Enumerable.Range(0, count).Select(i => new Point(first + i * step, first + i * step + 0.5)).ToList();

        /// <summary>Writes a filler file until the filesystem reports ENOSPC.</summary>
        private static void FillDisk(string path)
        {
            using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                var block = new byte[1024];
                try
                {
                    while (true) { fs.Write(block, 0, block.Length); fs.Flush(); }
                }
                catch (IOException) { /* full */ }
                try
                {
                    while (true) { fs.Write(block, 0, 1); fs.Flush(); }
                }
                catch (IOException) { /* full to the byte */ }
            }
        }

        private const long Now = 1_700_000_000;

        [Fact]
        public void DiskFullGivesAClearErrorAndLeavesFilesIntact()
        {
            MountTmpfs("64k");
            string dense = Path.Combine(_mount, "dense.wsp");
            string sparse = Path.Combine(_mount, "sparse.wsp");
            WhisperFile.Create(dense, new[] { new ArchiveSpec(1, 1000) });            // 12 KB, every block written
            WhisperFile.Create(sparse, new[] { new ArchiveSpec(1, 4000) }, 0.5, AggregationMethod.Average,
                new CreateOptions { Sparse = true });                                  // 48 KB, only the header block
            using (var f = WhisperFile.Open(dense, FileOpenMode.ReadWrite)) f.UpdateMany(Points(Now - 999, 500), Now);
            // One point in the sparse file's second page: that page is allocated, the third is a hole, and slot 680
            // straddles the boundary between them (bytes 8188..8199), where a short write would tear a point.
            using (var f = WhisperFile.Open(sparse, FileOpenMode.ReadWrite)) f.UpdateMany(Points(Now - 3999 + 600, 1), Now);
            FillDisk(Path.Combine(_mount, "filler"));
            var denseBefore = File.ReadAllBytes(dense);
            var sparseBefore = File.ReadAllBytes(sparse);

            // Creating a new file fails cleanly: no file under the name, no temporary file left behind.
            string created = Path.Combine(_mount, "new.wsp");
            var e = Assert.ThrowsAny<IOException>(() => WhisperFile.Create(created, new[] { new ArchiveSpec(1, 1000) }));
            _out.WriteLine("create: " + e.GetType().Name + ": " + e.Message);
            Assert.Contains("No space left on device", e.Message);
            Assert.Contains("'" + created + "'", e.Message);
            Assert.Equal(28, e.HResult); // ENOSPC, as .NET's own IOExceptions carry the errno
            Assert.False(File.Exists(created));
            Assert.Equal(new[] { "dense.wsp", "filler", "sparse.wsp" }, Directory.GetFiles(_mount).Select(Path.GetFileName).OrderBy(n => n));

            // Overwriting an existing file with a bigger one fails before the original is replaced.
            e = Assert.ThrowsAny<IOException>(() => WhisperFile.Create(dense, new[] { new ArchiveSpec(1, 5000) }, 0.5,
                AggregationMethod.Average, new CreateOptions { Overwrite = true }));
            _out.WriteLine("overwrite: " + e.Message);
            Assert.Contains("No space left on device", e.Message);
            Assert.Contains("'" + dense + "'", e.Message);
            Assert.Equal(denseBefore, File.ReadAllBytes(dense));
            Assert.Equal(new[] { "dense.wsp", "filler", "sparse.wsp" }, Directory.GetFiles(_mount).Select(Path.GetFileName).OrderBy(n => n));

            // A fully allocated file needs no new blocks: updates keep working on a full disk.
            using (var f = WhisperFile.Open(dense, FileOpenMode.ReadWrite))
            {
                Assert.Equal(1000, f.UpdateMany(Points(Now - 999, 1000), Now).Stored);
                f.SetAggregation(AggregationMethod.Max, 0.25);
                Assert.Equal(1000, f.Fetch(Now - 1000, Now, Now).Values.Count(v => v.HasValue));
            }

            // A sparse file needs blocks for its holes: the update fails with a clear error before writing anything.
            var points = Points(Now - 3999, 4000);
            e = Assert.ThrowsAny<IOException>(() =>
            {
                using (var f = WhisperFile.Open(sparse, FileOpenMode.ReadWrite)) f.UpdateMany(points, Now);
            });
            _out.WriteLine("sparse update: " + e.Message);
            Assert.Contains("No space left on device", e.Message);
            Assert.Contains(sparse, e.Message);
            var sparseAfter = File.ReadAllBytes(sparse);
            var report = SlotCheck.Check(sparseAfter, WhisperFile.ReadHeader(sparse));
            _out.WriteLine("sparse file after ENOSPC: " + report.Filled + " points, " + report.Empty + " slots empty");
            Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems.Take(10)));
            Assert.True(sparseBefore.SequenceEqual(sparseAfter), "the failed update changed the sparse file");
        }

        /// <summary>Resize and clear on a full disk: the journal cannot be written, so the file is never touched.</summary>
        [Fact]
        public void DiskFullDuringResizeOrClearGivesAClearErrorAndLeavesTheFileIntact()
        {
            MountTmpfs("64k");
            string path = Path.Combine(_mount, "full.wsp");
            WhisperFile.Create(path, new[] { new ArchiveSpec(1, 1000), new ArchiveSpec(10, 200) });
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) f.UpdateMany(Points(Now - 999, 1000), Now);
            FillDisk(Path.Combine(_mount, "filler"));
            var before = File.ReadAllBytes(path);
            foreach (var op in new Action[]
            {
                () => WhisperFile.Resize(path, new[] { new ArchiveSpec(1, 2000) }, now: Now),
                () => WhisperFile.Resize(path, new[] { new ArchiveSpec(10, 100) }, now: Now),
                () => WhisperFile.Clear(path, Now - 500, Now - 100, Now),
            })
            {
                var e = Assert.ThrowsAny<IOException>(op);
                _out.WriteLine("rewrite on a full disk: " + e.Message);
                Assert.Contains("No space left on device", e.Message);
                Assert.Contains("'" + path + "'", e.Message);
                Assert.Contains("unchanged", e.Message);
                Assert.Equal(28, e.HResult);
                Assert.Equal(before, File.ReadAllBytes(path));
                Assert.Equal(new[] { "filler", "full.wsp" }, Directory.GetFiles(_mount).Select(Path.GetFileName).OrderBy(n => n));
            }
        }

        [Fact]
        public void ReadOnlyFilesystemRefusesResizeAndClearAndLeavesTheFileIntact()
        {
            MountTmpfs("1m");
            string path = Path.Combine(_mount, "ro.wsp");
            WhisperFile.Create(path, new[] { new ArchiveSpec(1, 1000) });
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) f.UpdateMany(Points(Now - 999, 1000), Now);
            var before = File.ReadAllBytes(path);
            CarbonCache.Run("/bin/mount", "-o", "remount,ro", _mount);
            var e = Assert.Throws<UnauthorizedAccessException>(() => WhisperFile.Resize(path, new[] { new ArchiveSpec(10, 100) }, now: Now));
            _out.WriteLine("resize on a read-only filesystem: " + e.Message);
            Assert.Contains("'" + path + "'", e.Message);
            e = Assert.Throws<UnauthorizedAccessException>(() => WhisperFile.Clear(path, Now - 10, Now, Now));
            Assert.Contains("'" + path + "'", e.Message);
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(new[] { "ro.wsp" }, Directory.GetFiles(_mount).Select(Path.GetFileName));
        }

        [Fact]
        public void ReadOnlyFilesystemGivesAClearErrorAndLeavesFilesIntact()
        {
            MountTmpfs("1m");
            string path = Path.Combine(_mount, "ro.wsp");
            string other = Path.Combine(_mount, "other.wsp");
            WhisperFile.Create(path, new[] { new ArchiveSpec(1, 1000) });
            WhisperFile.Create(other, new[] { new ArchiveSpec(1, 1000) });
            using (var f = WhisperFile.Open(other, FileOpenMode.ReadWrite)) f.UpdateMany(Points(Now - 500, 100), Now);
            var before = File.ReadAllBytes(path);
            CarbonCache.Run("/bin/mount", "-o", "remount,ro", _mount);

            var e = Assert.Throws<UnauthorizedAccessException>(() => WhisperFile.Open(path, FileOpenMode.ReadWrite));
            _out.WriteLine("open for writing: " + e.Message);
            Assert.Contains("Read-only file system", e.Message);
            Assert.Contains(path, e.Message);

            e = Assert.Throws<UnauthorizedAccessException>(() => WhisperFile.Merge(other, path, null, null, Now));
            _out.WriteLine("merge: " + e.Message);
            Assert.Contains("Read-only file system", e.Message);

            e = Assert.Throws<UnauthorizedAccessException>(() => WhisperFile.Create(Path.Combine(_mount, "new.wsp"), new[] { new ArchiveSpec(1, 10) }));
            _out.WriteLine("create: " + e.Message);
            Assert.Contains("Read-only file system", e.Message);
            Assert.Contains("'" + Path.Combine(_mount, "new.wsp") + "'", e.Message);

            e = Assert.Throws<UnauthorizedAccessException>(() => WhisperFile.Create(path, new[] { new ArchiveSpec(1, 10) }, 0.5,
                AggregationMethod.Average, new CreateOptions { Overwrite = true }));
            _out.WriteLine("overwrite: " + e.Message);
            Assert.Contains("'" + path + "'", e.Message);

            // Reading still works, and nothing changed.
            using (var f = WhisperFile.Open(other)) Assert.Equal(100, f.Fetch(Now - 900, Now, Now).Values.Count(v => v.HasValue));
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(new[] { "other.wsp", "ro.wsp" }, Directory.GetFiles(_mount).Select(Path.GetFileName).OrderBy(n => n));
        }

        [Trait(Needs.Trait, Needs.Setpriv)]
        [Fact]
        public void PermissionDeniedGivesAClearErrorAndLeavesTheFileIntact()
        {
            // Root bypasses file modes; a writer process without CAP_DAC_OVERRIDE sees them like any other user.
            MountTmpfs("1m");
            string dir = Path.Combine(_mount, "locked");
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, "readonly.wsp");
            WhisperFile.Create(path, new[] { new ArchiveSpec(1, 1000) });
            var before = File.ReadAllBytes(path);
            CarbonCache.Run("/bin/chmod", "0444", path);
            CarbonCache.Run("/bin/chmod", "0555", dir);
            var noOverride = new[] { "/usr/bin/setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", "--" };

            using (var writer = StressProcess.Start(new[] { "write", path, (Now - 10).ToString(), "5", "1", "5", "1", "many" }, noOverride))
            {
                Assert.Equal(1, writer.WaitExit(TimeSpan.FromSeconds(60)));
                _out.WriteLine("write: " + writer.Stderr.Trim());
                Assert.Contains("UnauthorizedAccessException", writer.Stderr);
                Assert.Contains("Permission denied", writer.Stderr);
                Assert.Contains(path, writer.Stderr);
            }
            Assert.Equal(before, File.ReadAllBytes(path));

            // The same unprivileged writer succeeds once the mode allows it: the refusal above came from the file mode.
            CarbonCache.Run("/bin/chmod", "0644", path);
            using (var writer = StressProcess.Start(new[] { "write", path, "-100", "5", "1", "5", "1", "many" }, noOverride))
            {
                Assert.True(writer.WaitExit(TimeSpan.FromSeconds(60)) == 0, "unprivileged write after chmod 644 failed: " + writer.Stderr);
            }
            using (var f = WhisperFile.Open(path))
                Assert.Equal(5, f.Fetch(f.Header.MaxRetention * -1 + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).Values.Count(v => v.HasValue));
        }
    }
}
