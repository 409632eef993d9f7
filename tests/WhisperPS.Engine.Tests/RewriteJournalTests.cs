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
    /// The rewrite journal keeps only the non-zero runs of an image. A complete journal must give back exactly the
    /// image (data, zeros, length) when the next open applies it; a torn or damaged one must be discarded with the
    /// file left as it was. Random images with zero stretches of every size, odd lengths and reused buffers.
    /// </summary>
    public sealed class RewriteJournalTests : IDisposable
    {
        private readonly ITestOutputHelper _out;
        private readonly TempDir _dir = new TempDir();

        public RewriteJournalTests(ITestOutputHelper output) => _out = output;

        public void Dispose() => _dir.Dispose();

        // An image of `count` bytes in a buffer of `count + slack`, mostly zeros with non-zero runs of 1..200 bytes
        // separated by zero gaps of 0..300 bytes; the slack after count is garbage the journal must ignore.
        private static RewriteImage RandomImage(Random rng, int count, int slack, long length)
        {
            var data = new byte[count + slack];
            int at = rng.Next(0, 50);
            while (at < count)
            {
                int run = rng.Next(1, 200);
                for (int i = at; i < Math.Min(count, at + run); i++) data[i] = (byte)rng.Next(1, 256);
                at += run + rng.Next(0, 300);
            }
            for (int i = count; i < data.Length; i++) data[i] = 0xEE;
            return new RewriteImage(data, length, count: count);
        }

        private static byte[] Expected(RewriteImage image)
        {
            var e = new byte[image.Length];
            Buffer.BlockCopy(image.Data, 0, e, 0, image.Count);
            return e;
        }

        [Fact]
        public void ACompleteJournalGivesBackTheImageExactly()
        {
            int seed = Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            string path = _dir.File("f.wsp");
            for (int c = 0; c < 60; c++)
            {
                int count = c < 10 ? c : rng.Next(1, 300_000);
                var image = RandomImage(rng, count, rng.Next(0, 20), count + (c % 3 == 0 ? rng.Next(0, 5000) : 0));
                var before = new byte[rng.Next(0, 400_000)];
                rng.NextBytes(before);
                File.WriteAllBytes(path, before);
                RewriteJournal.Write(path, image, durable: c % 2 == 0);
                Assert.True(File.Exists(path + ".journal"));
                RandomAccessFile.Open(path, FileOpenMode.ReadWrite).Dispose(); // the open applies it
                Assert.False(File.Exists(path + ".journal"), "seed " + seed + " case " + c + ": journal left");
                Assert.True(Expected(image).SequenceEqual(File.ReadAllBytes(path)), "seed " + seed + " case " + c + ": file differs from the image");
            }
        }

        [Fact]
        public void WritingOnlyWhatChangesLeavesTheSameFileAsWritingEverything()
        {
            // The rewrite writes over content it read under the lock only where it differs (ApplyOver); the file must
            // end up exactly as the image says, whatever the old content, the growth and the tail.
            int seed = Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            string path = _dir.File("over.wsp");
            int written = 0, full = 0;
            for (int c = 0; c < 300; c++)
            {
                int count = c < 10 ? c : rng.Next(1, 200_000);
                long length = count + (c % 4 == 0 ? rng.Next(0, 5000) : 0);
                var image = RandomImage(rng, count, rng.Next(0, 20), length);
                // Old content: often the image itself with a few bytes changed, or shorter, longer, or unrelated.
                byte[] before;
                switch (rng.Next(4))
                {
                    case 0: before = new byte[rng.Next(0, 250_000)]; rng.NextBytes(before); break;
                    case 1: before = RandomImage(rng, rng.Next(0, 250_000), 0, -1).Data; break;
                    default:
                        before = new byte[Math.Max(0, count + rng.Next(-count, 20_000))];
                        Buffer.BlockCopy(image.Data, 0, before, 0, Math.Min(count, before.Length));
                        for (int k = rng.Next(0, 5); k > 0 && before.Length > 0; k--) before[rng.Next(before.Length)] ^= (byte)rng.Next(1, 256);
                        break;
                }
                File.WriteAllBytes(path, before);
                using (var f = RandomAccessFile.Open(path, FileOpenMode.ReadWrite))
                {
                    // As the rewrite does: blocks for a growing file first (they read as zeros).
                    bool grown = image.Length > before.Length && !image.SparseTail && rng.Next(3) > 0 &&
                                 f.TryAllocate(before.Length, image.Length - before.Length);
                    RewriteJournal.ApplyOver(f, image, before, grown);
                    if (grown || count <= before.Length) written++; else full++;
                }
                Assert.True(Expected(image).SequenceEqual(File.ReadAllBytes(path)), "seed " + seed + " case " + c + ": differs from the image");
            }
            _out.WriteLine(written + " partial writes, " + full + " full writes");
        }

        [Fact]
        public void ATornOrDamagedJournalIsDiscardedAndTheFileLeftAsItWas()
        {
            int seed = Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            string path = _dir.File("f.wsp");
            string journal = path + ".journal";
            var image = RandomImage(rng, 20_000, 0, 30_000);
            var before = new byte[25_000];
            rng.NextBytes(before);
            File.WriteAllBytes(path, before);
            RewriteJournal.Write(path, image, durable: false);
            var complete = File.ReadAllBytes(journal);
            Assert.True(complete.Length < image.Count, "the journal holds the zeros too: " + complete.Length + " bytes");
            int checkedCases = 0;
            for (int cut = 0; cut < complete.Length; cut += cut < 100 ? 1 : rng.Next(1, 200))
            {
                File.WriteAllBytes(journal, complete.Take(cut).ToArray());
                RandomAccessFile.Open(path, FileOpenMode.ReadWrite).Dispose();
                Assert.False(File.Exists(journal));
                Assert.True(before.SequenceEqual(File.ReadAllBytes(path)), "seed " + seed + ": a journal cut at " + cut + " changed the file");
                checkedCases++;
            }
            for (int k = 0; k < 200; k++)
            {
                var damaged = (byte[])complete.Clone();
                int at = rng.Next(damaged.Length);
                damaged[at] ^= (byte)rng.Next(1, 256);
                File.WriteAllBytes(journal, damaged);
                RandomAccessFile.Open(path, FileOpenMode.ReadWrite).Dispose();
                Assert.True(before.SequenceEqual(File.ReadAllBytes(path)), "seed " + seed + ": a journal with byte " + at + " changed was applied");
                checkedCases++;
            }
            // And the complete one still applies (the cases above prove something).
            File.WriteAllBytes(journal, complete);
            RandomAccessFile.Open(path, FileOpenMode.ReadWrite).Dispose();
            Assert.True(Expected(image).SequenceEqual(File.ReadAllBytes(path)));
            _out.WriteLine(checkedCases + " torn or damaged journals discarded");
        }
    }
}
