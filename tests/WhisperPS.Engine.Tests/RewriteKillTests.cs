using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// The shared rewrite under SIGKILL: a helper process rewrites four copies of a file one after another (resize,
    /// resize keeping one journal for all four as Resize-WhisperFile -NoFlush does, clear or create -Force) and is killed at a random moment, 50+ times per operation. Then every copy, once opened
    /// through WhisperPS (which completes or discards a leftover journal), must be byte for byte the old file or the
    /// new one, and no journal may remain. The seed is printed (WHISPERPS_KILL_SEED replays it).
    /// </summary>
    [Collection("processes")]
    public sealed class RewriteKillTests : IDisposable
    {
        private const long Now = 1_700_000_000;
        private const int Files = 4;
        private static readonly int Kills = KillCount.Of(50);
        private readonly ITestOutputHelper _out;
        private readonly TempDir _dir = new TempDir();
        private readonly Random _rng;

        public RewriteKillTests(ITestOutputHelper output)
        {
            _out = output;
            int seed = Environment.GetEnvironmentVariable("WHISPERPS_KILL_SEED") is string s
                ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("WHISPERPS_KILL_SEED=" + seed);
            _rng = new Random(seed);
        }

        public void Dispose() => _dir.Dispose();

        // Mirrors the helper's rewrite of the same name (tests/WhisperPS.Stress, mode rewrite-loop).
        private static void Rewrite(string op, string path)
        {
            switch (op)
            {
                case "resize":
                case "resize-reuse": // the same result; the helper keeps one journal for its four files, without fsync
                    WhisperFile.Resize(path, new[] { new ArchiveSpec(60, 1440), new ArchiveSpec(3600, 720) }, now: Now);
                    break;
                case "clear":
                    WhisperFile.Clear(path, Now - 5000, Now - 2000, Now);
                    break;
                default:
                    WhisperFile.Create(path, new[] { new ArchiveSpec(10, 8640), new ArchiveSpec(60, 10080) }, 0.5, AggregationMethod.Average,
                        new CreateOptions { Overwrite = true, Flush = true });
                    break;
            }
        }

        [Theory]
        [InlineData("resize")]
        [InlineData("resize-reuse")]
        [InlineData("clear")]
        [InlineData("create")]
        public void KilledRewritesLeaveTheOldOrTheNewFileOrOneTheNextOpenCompletes(string op)
        {
            // About 0.5 MB: 1 s for 12 h and 1 min for 1 d, filled but for every 7th second.
            string original = _dir.File("original.wsp");
            WhisperFile.Create(original, new[] { new ArchiveSpec(1, 43200), new ArchiveSpec(60, 1440) }, 0, AggregationMethod.Sum);
            using (var f = WhisperFile.Open(original, FileOpenMode.ReadWrite))
                f.UpdateMany(Enumerable.Range(0, 43200).Where(i => i % 7 != 0).Select(i => new Point(Now - i, i % 100)), Now);
            var old = File.ReadAllBytes(original);
            string expected = _dir.File("expected.wsp");
            File.Copy(original, expected);
            Rewrite(op, expected);
            var fresh = File.ReadAllBytes(expected);
            // Warm timing of one rewrite, so the kills spread over the helper's four.
            File.WriteAllBytes(expected, old);
            var watch = Stopwatch.StartNew();
            Rewrite(op, expected);
            long oneMs = Math.Max(1, watch.ElapsedMilliseconds);
            Assert.False(old.SequenceEqual(fresh), "the rewrite changes nothing, so the test proves nothing");

            var files = Enumerable.Range(0, Files).Select(i => _dir.File("f" + i + ".wsp")).ToArray();
            int oldFiles = 0, newFiles = 0, redone = 0, discarded = 0, keptJournals = 0;
            int maxDelay = (int)(oneMs * Files) + 100; // the helper's first rewrite also pays its JIT
            for (int k = 0; k < Kills; k++)
            {
                foreach (var f in files)
                {
                    File.WriteAllBytes(f, old);
                    File.Delete(f + ".journal");
                }
                var args = new List<string> { "rewrite-loop", op, Now.ToString(CultureInfo.InvariantCulture) };
                args.AddRange(files);
                using (var victim = StressProcess.Start(args))
                {
                    Assert.True(victim.WaitReady(TimeSpan.FromSeconds(60)), "victim never got ready: " + victim.Stdout + victim.Stderr);
                    System.Threading.Thread.Sleep(_rng.Next(maxDelay));
                    Assert.False(victim.HasExited, "victim stopped by itself: " + victim.Stderr);
                    victim.Kill();
                }
                foreach (var f in files)
                {
                    bool journal = File.Exists(f + ".journal");
                    // A journal kept for reuse between two files is invalid (zeroed magic): nothing to complete.
                    bool kept = journal && File.ReadAllBytes(f + ".journal").Take(8).All(b => b == 0);
                    if (kept) { keptJournals++; journal = false; }
                    using (WhisperFile.Open(f)) { } // completes or discards a leftover journal
                    Assert.False(File.Exists(f + ".journal"), "kill " + k + ": the journal of " + f + " survived an open");
                    var now = File.ReadAllBytes(f);
                    bool isOld = now.SequenceEqual(old), isNew = now.SequenceEqual(fresh);
                    Assert.True(isOld || isNew, "kill " + k + ": " + Path.GetFileName(f) + " is neither the old nor the new file" +
                        (journal ? " (after recovering its journal)" : ""));
                    if (isNew) newFiles++; else oldFiles++;
                    if (journal && isNew) redone++;
                    if (journal && isOld) discarded++;
                }
            }
            _out.WriteLine(op + ": " + Kills + " kills (one rewrite takes ~" + oneMs + " ms here, kills within " + maxDelay +
                " ms): " + oldFiles + " files old, " + newFiles + " new; journals left by a kill: " + redone +
                " completed by the next open, " + discarded + " discarded (incomplete, file untouched), " + keptJournals +
                " kept for reuse (invalid) and discarded");
            Assert.True(oldFiles > 0 && newFiles > 0, "every kill landed before or after all rewrites: the timing proves nothing");
        }
    }
}
