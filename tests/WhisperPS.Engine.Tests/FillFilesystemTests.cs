using System;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using Xunit;
using Xunit.Abstractions;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>FillGaps on a full disk and on a read-only filesystem: a clear error naming the file, nothing
    /// written. A 64 KiB tmpfs as in CrashFilesystemTests (we run as root; no mount fails the test).</summary>
    [Trait(Needs.Trait, Needs.Mount)]
    [Collection("processes")]
    public sealed class FillFilesystemTests : IDisposable
    {
        private const long Now = 1_700_000_000;
        private readonly ITestOutputHelper _out;
        private readonly string _mount = Path.Combine(Path.GetTempPath(), "whisperps-fillfs-" + Guid.NewGuid().ToString("N"));
        private readonly Support.TempDir _dir = new Support.TempDir();
        private bool _mounted;

        public FillFilesystemTests(ITestOutputHelper output)
        {
            _out = output;
            Directory.CreateDirectory(_mount);
        }

        public void Dispose()
        {
            if (_mounted)
            {
                try { CarbonCache.Run("/bin/umount", _mount); } catch (Exception e) { _out.WriteLine("umount failed: " + e.Message); }
            }
            try { Directory.Delete(_mount, true); } catch (IOException) { }
            _dir.Dispose();
        }

        // A replica (outside the mount) with every slot, and a sparse target on the mount: filling it needs
        // blocks for its holes.
        private (string Source, string Target) Pair(string size)
        {
            CarbonCache.Run("/bin/mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0777", "tmpfs", _mount);
            _mounted = true;
            string src = Create(_dir.File("src.wsp"), A(1, 4000), A(60, 200));
            UpdateMany(src, Now, Enumerable.Range(0, 3999).Select(i => P(Now - i, i)));
            string dst = Path.Combine(_mount, "sparse.wsp");
            WhisperFile.Create(dst, new[] { A(1, 4000), A(60, 200) }, 0.5, AggregationMethod.Average, new CreateOptions { Sparse = true });
            // A point every 300 slots gives every page of the file a block, except the page of slots 1704..2044:
            // a fill then fails part-way unless it reserves its blocks before writing.
            UpdateMany(dst, Now, Enumerable.Range(0, 14).Where(j => j != 6).Select(j => P(Now - 3999 + 300 * j, 1)));
            return (src, dst);
        }

        [Fact]
        public void DiskFull_ClearErrorAndNothingWritten()
        {
            var (src, dst) = Pair("64k");
            using (var fs = new FileStream(Path.Combine(_mount, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                var block = new byte[1024];
                try { while (true) { fs.Write(block, 0, block.Length); fs.Flush(); } } catch (IOException) { }
                try { while (true) { fs.Write(block, 0, 1); fs.Flush(); } } catch (IOException) { }
            }
            var before = File.ReadAllBytes(dst);
            var e = Assert.ThrowsAny<IOException>(() => WhisperFile.FillGaps(dst, new[] { src }, now: Now));
            _out.WriteLine("fill on a full disk: " + e.Message);
            Assert.Contains("No space left on device", e.Message);
            Assert.Contains(dst, e.Message);
            Assert.Equal(before, File.ReadAllBytes(dst));
            // A dry run needs no space and still says what a fill would do.
            Assert.True(WhisperFile.FillGaps(dst, new[] { src }, now: Now, dryRun: true).Filled > 3000);
        }

        [Fact]
        public void ReadOnlyFilesystem_ClearErrorAndNothingWritten()
        {
            var (src, dst) = Pair("1m");
            var before = File.ReadAllBytes(dst);
            CarbonCache.Run("/bin/mount", "-o", "remount,ro", _mount);
            var e = Assert.Throws<UnauthorizedAccessException>(() => WhisperFile.FillGaps(dst, new[] { src }, now: Now));
            _out.WriteLine("fill on a read-only filesystem: " + e.Message);
            Assert.Contains("Read-only file system", e.Message);
            Assert.Contains(dst, e.Message);
            Assert.Equal(before, File.ReadAllBytes(dst));
            // Sources may live on a read-only filesystem: they are only read.
            string copy = _dir.File("copy.wsp");
            File.Copy(dst, copy);
            Assert.Empty(WhisperFile.FillGaps(src, new[] { dst }, now: Now).SourceFailures);
            Assert.True(WhisperFile.FillGaps(copy, new[] { src }, now: Now).Filled > 3000);
        }
    }
}
