using System;
using System.IO;
using System.Linq;
using System.Threading;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// What stays the same file: every rewrite keeps owner, group and mode (the inode is rewritten, not replaced),
    /// and a writer that waited for the lock of a file another tool then renamed a new file over writes into the new
    /// file, never into the unlinked one.
    /// </summary>
    [Collection("processes")]
    public sealed class RewriteIdentityTests : IDisposable
    {
        private const long Now = 1_700_000_000;
        private readonly ITestOutputHelper _out;
        private readonly TempDir _dir = new TempDir();

        public RewriteIdentityTests(ITestOutputHelper output) => _out = output;

        public void Dispose() => _dir.Dispose();

        private static string Stat(string path) => CarbonCache.Run("/usr/bin/stat", "-c", "%u:%g:%a:%i", path).Trim();

        [Fact]
        [Trait(Needs.Trait, Needs.Posix)]
        public void ResizeClearAndCreateForceKeepOwnerGroupAndMode()
        {
            string path = _dir.File("owned.wsp");
            WhisperFile.Create(path, new[] { new ArchiveSpec(1, 3600), new ArchiveSpec(60, 1440) });
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                f.UpdateMany(Enumerable.Range(0, 3000).Select(i => new Point(Now - i, i)), Now);
            // As root (here and in CI) the file can belong to someone else, as carbon's files do.
            CarbonCache.Run("/bin/chown", "4321:8765", path);
            CarbonCache.Run("/bin/chmod", "0604", path);
            string before = Stat(path);
            Assert.StartsWith("4321:8765:604:", before);

            WhisperFile.Resize(path, new[] { new ArchiveSpec(10, 8640) }, now: Now);
            Assert.Equal(before, Stat(path));
            WhisperFile.Clear(path, Now - 600, Now - 300, Now);
            Assert.Equal(before, Stat(path));
            WhisperFile.Create(path, new[] { new ArchiveSpec(60, 100) }, 0.5, AggregationMethod.Max, new CreateOptions { Overwrite = true });
            Assert.Equal(before, Stat(path));
            Assert.Equal(AggregationMethod.Max, WhisperFile.ReadHeader(path).AggregationMethod);
            _out.WriteLine("uid:gid:mode:inode before and after resize, clear and create -Force: " + before);
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Posix)]
        public void AWriterThatWaitedForTheLockOfAReplacedFileWritesIntoTheNewFile()
        {
            string path = _dir.File("replaced.wsp");
            string other = _dir.File("replacement.wsp");
            var layout = new[] { new ArchiveSpec(1, 3600) };
            WhisperFile.Create(path, layout);
            WhisperFile.Create(other, layout);
            var oldInode = new FileInfo(path);
            Exception error = null;
            var writer = new Thread(() =>
            {
                try
                {
                    using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) f.Update(42, Now - 10, Now);
                }
                catch (Exception e) { error = e; }
            });
            string oldCopy = _dir.File("old-inode.wsp");
            using (var holder = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                writer.Start();
                Thread.Sleep(500); // the writer is now blocked in flock on the old inode
                Assert.True(writer.IsAlive);
                // What whisper-resize and rename-based tools do: a new file takes the name while the old one is locked.
                File.Copy(path, oldCopy);
                File.Move(other, path, true);
            }
            Assert.True(writer.Join(TimeSpan.FromSeconds(30)));
            Assert.Null(error);
            using (var f = WhisperFile.Open(path))
                Assert.Equal(42.0, f.Fetch(Now - 20, Now, Now).Values.Single(v => v.HasValue));
        }
    }
}
