using System;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// A batch of rewrites with a <see cref="JournalReuse"/> keeps one journal file and renames it from file to file
    /// (no inode allocated per file). Every file must come out byte for byte as a rewrite without reuse leaves it;
    /// between rewrites the one kept journal must be invalid (another process's next open discards it, as the kill
    /// tests show; this process's own opens leave it), someone deleting it meanwhile must not matter, and Dispose must
    /// leave no journal. Kills during such a batch are
    /// covered by RewriteKillTests ("resize-reuse"). Posix only: Windows rewrites never reuse (see JournalReuse).
    /// </summary>
    public sealed class JournalReuseTests : IDisposable
    {
        private const long Now = 1_700_000_000;
        private readonly ITestOutputHelper _out;
        private readonly TempDir _dir = new TempDir();

        public JournalReuseTests(ITestOutputHelper output) => _out = output;

        public void Dispose() => _dir.Dispose();

        private static byte[] RandomFile(Random rng, string path)
        {
            var archives = rng.Next(2) == 0
                ? new[] { new ArchiveSpec(60, 1440), new ArchiveSpec(600, 4320) }
                : new[] { new ArchiveSpec(10, 360 * rng.Next(1, 5)), new ArchiveSpec(60, 1440), new ArchiveSpec(3600, 48) };
            WhisperFile.Create(path, archives, rng.NextDouble() < 0.5 ? 0 : 0.5, (AggregationMethod)rng.Next(1, 9));
            int points = rng.Next(0, 3000);
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                f.UpdateMany(Enumerable.Range(0, points).Select(i => new Point(Now - rng.Next(0, 86400), Math.Round(rng.NextDouble() * 100 - 20, 2))).ToList(), Now);
            return File.ReadAllBytes(path);
        }

        private static ArchiveSpec[] RandomTarget(Random rng) => rng.Next(3) switch
        {
            0 => new[] { new ArchiveSpec(60, 10080), new ArchiveSpec(3600, 8760) },
            1 => new[] { new ArchiveSpec(10, 8640), new ArchiveSpec(300, 2016) },
            _ => new[] { new ArchiveSpec(120, 720) },
        };

        private string[] Journals() => Directory.GetFiles(_dir.Path, "*.journal");

        [Fact]
        [Trait(Needs.Trait, Needs.Posix)]
        public void ABatchKeepsOneInvalidJournalAndLeavesEveryFileAsAPlainRewriteWould()
        {
            int seed = Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            string reference = Path.Combine(_dir.Path, "ref");
            Directory.CreateDirectory(reference);
            int reused = 0, recreated = 0, interrupted = 0;
            using (var reuse = new JournalReuse())
            {
                var options = new RewriteOptions { Durable = false, ReuseJournal = reuse };
                string previous = null;
                for (int k = 0; k < 40; k++)
                {
                    string path = _dir.File("f" + k + ".wsp");
                    var old = RandomFile(rng, path);
                    string copy = Path.Combine(reference, "f" + k + ".wsp");
                    File.WriteAllBytes(copy, old);
                    var target = RandomTarget(rng);
                    var method = rng.Next(2) == 0 ? (AggregationMethod?)null : (AggregationMethod)rng.Next(1, 9);

                    // This process's own opens (Resize-WhisperFile -PassThru reads each file) leave the kept journal
                    // alone; another WhisperPS process that opens the previous file discards it (deleting it stands
                    // for that here; the kill tests show the real thing), and the batch then creates a new one.
                    if (previous != null && rng.Next(3) == 0)
                    {
                        var content = File.ReadAllBytes(previous);
                        using (WhisperFile.Open(previous, rng.Next(2) == 0 ? FileOpenMode.Read : FileOpenMode.ReadWrite)) { }
                        Assert.True(File.Exists(previous + ".journal"), "seed " + seed + ": our own open discarded the kept journal");
                        Assert.True(content.SequenceEqual(File.ReadAllBytes(previous)));
                    }
                    bool deleted = previous != null && rng.Next(4) == 0;
                    if (deleted)
                    {
                        File.Delete(previous + ".journal");
                        interrupted++;
                    }
                    string[] before = Journals();

                    WhisperFile.Resize(path, target, method, null, Now, options);
                    WhisperFile.Resize(copy, target, method, null, Now, new RewriteOptions { Durable = false });
                    string where = "seed " + seed + " file " + k;
                    Assert.True(File.ReadAllBytes(copy).SequenceEqual(File.ReadAllBytes(path)), where + ": differs from a rewrite without reuse");

                    // Exactly one journal, named for this file, and invalid.
                    string[] journals = Journals();
                    Assert.Equal(new[] { path + ".journal" }, journals);
                    Assert.True(File.ReadAllBytes(journals[0]).Take(8).All(b => b == 0), where + ": the kept journal is still valid");
                    if (before.Length == 1 && !deleted) reused++; else recreated++;
                    previous = path;
                }

            }
            Assert.Empty(Journals());
            Assert.Empty(Directory.GetFiles(reference, "*.journal"));
            _out.WriteLine(reused + " rewrites reused the kept journal, " + recreated + " created one (" + interrupted + " after another process discarded it)");
            Assert.True(reused > 20, "the journal was hardly reused: " + reused);
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Posix)]
        public void TheSameInodeServesTheWholeBatchAndDisposeRemovesIt()
        {
            var rng = new Random(5);
            using (var reuse = new JournalReuse())
            {
                var options = new RewriteOptions { Durable = false, ReuseJournal = reuse };
                string inode = null;
                for (int k = 0; k < 5; k++)
                {
                    string path = _dir.File("g" + k + ".wsp");
                    RandomFile(rng, path);
                    WhisperFile.Resize(path, new[] { new ArchiveSpec(60, 10080) }, now: Now, options: options);
                    string now = CarbonCache.Run("/usr/bin/stat", "-c", "%i", path + ".journal").Trim();
                    if (inode != null) Assert.Equal(inode, now);
                    inode = now;
                }
            }
            Assert.Empty(Journals());
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Posix)]
        public void DurableRewritesAndRewritesInAnotherFolderDoNotReuse()
        {
            var rng = new Random(9);
            string other = Path.Combine(_dir.Path, "other");
            Directory.CreateDirectory(other);
            using (var reuse = new JournalReuse())
            {
                string a = _dir.File("a.wsp"), b = Path.Combine(other, "b.wsp"), c = _dir.File("c.wsp");
                foreach (var p in new[] { a, b, c }) RandomFile(rng, p);
                WhisperFile.Resize(a, new[] { new ArchiveSpec(60, 10080) }, now: Now, options: new RewriteOptions { Durable = false, ReuseJournal = reuse });
                Assert.True(File.Exists(a + ".journal"));
                // Another folder: the kept journal is deleted there, a new one kept here.
                WhisperFile.Resize(b, new[] { new ArchiveSpec(60, 10080) }, now: Now, options: new RewriteOptions { Durable = false, ReuseJournal = reuse });
                Assert.False(File.Exists(a + ".journal"));
                Assert.True(File.Exists(b + ".journal"));
                // Durable: fsynced journals are created and deleted as always; the kept one is left alone.
                WhisperFile.Resize(c, new[] { new ArchiveSpec(60, 10080) }, now: Now, options: new RewriteOptions { Durable = true, ReuseJournal = reuse });
                Assert.False(File.Exists(c + ".journal"));
                Assert.True(File.Exists(b + ".journal"));
            }
            Assert.Empty(Directory.GetFiles(_dir.Path, "*.journal", SearchOption.AllDirectories));
        }
    }
}
