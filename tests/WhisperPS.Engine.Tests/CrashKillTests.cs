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
    /// Writer processes SIGKILLed at random moments (large batches, merges, set-aggregation, overwriting create):
    /// afterwards the file must pass a full header and data check, every slot holding one complete point that some
    /// write put there. Kill delays are random; the seed is printed (WHISPERPS_KILL_SEED replays it).
    /// </summary>
    [Collection("processes")]
    public sealed class CrashKillTests : IDisposable
    {
        // Archive 0 is one "ring" of 7200 s; generation g of a batch writes every Stride-th slot of it with
        // ts = Base + g * Ring + Stride * i, value ts + 0.5, so a slot shows which write it came from. The engine
        // merges writes separated by less than 512 bytes into one; 49 empty slots (588 bytes) between points keep
        // every point its own write (144 pwrites per batch), so a kill can land between two of them.
        private const long Base = 1_600_002_000; // a multiple of 3600
        private const long Ring = 7200;
        private const int Stride = 50;
        private static readonly ArchiveSpec[] Layout = { new ArchiveSpec(1, Ring), new ArchiveSpec(60, 1440), new ArchiveSpec(600, 1008) };

        private readonly ITestOutputHelper _out;
        private readonly TempDir _scratch = new TempDir();
        private readonly string _dir;
        private readonly Random _rng;
        private readonly int _seed;

        public CrashKillTests(ITestOutputHelper output)
        {
            _out = output;
            _dir = _scratch.Path;
            _seed = Environment.GetEnvironmentVariable("WHISPERPS_KILL_SEED") is string s
                ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("WHISPERPS_KILL_SEED=" + _seed);
            _rng = new Random(_seed);
        }

        public void Dispose() => _scratch.Dispose();

        private static long Generation(long ts) => (ts - Base) / Ring;

        /// <summary>Starts a victim, kills it a random while after its first completed operation, and returns
        /// how long it was allowed to run.</summary>
        private int KillAtRandom(string[] args, int maxDelayMs)
        {
            using (var victim = StressProcess.Start(args))
            {
                Assert.True(victim.WaitReady(TimeSpan.FromSeconds(60)), "victim never got ready: " + victim.Stdout + victim.Stderr);
                int delay = _rng.Next(maxDelayMs);
                System.Threading.Thread.Sleep(delay);
                Assert.False(victim.HasExited, "victim stopped by itself: " + victim.Stderr);
                victim.Kill();
                return delay;
            }
        }

        private void AssertStructurallyValid(string path, byte[] headerBytes, long length, string context, out SlotCheck.Report report)
        {
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length == length, context + ": the file is " + bytes.Length + " bytes, was " + length);
            Assert.True(headerBytes.SequenceEqual(bytes.Take(headerBytes.Length)), context + ": the header changed");
            var header = WhisperFile.ReadHeader(path); // full header validation
            report = SlotCheck.Check(bytes, header, Generation);
            Assert.True(report.Problems.Count == 0, context + ":\n" + string.Join("\n", report.Problems.Take(20)));
            // And the engine can still read and write it.
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                Assert.NotNull(f.Fetch(0, null, Base + 100 * Ring));
            }
        }

        [Fact]
        public void KilledDuringLargeBatchesLeavesEverySlotOldOrNew()
        {
            string path = Path.Combine(_dir, "batch.wsp");
            WhisperFile.Create(path, Layout);
            var header = File.ReadAllBytes(path).Take(WhisperHeader.HeaderSize(Layout.Length)).ToArray();
            long length = new FileInfo(path).Length;
            int Kills = KillCount.Of(20);
            int midBatch = 0;
            var sw = Stopwatch.StartNew();
            for (int k = 0; k < Kills; k++)
            {
                // Later victims start at later generations, so each kill also lands on data of earlier ones.
                long first = Base + k * 3 * Ring;
                int delay = KillAtRandom(new[] { "batch-loop", path, first.ToString(CultureInfo.InvariantCulture), Ring.ToString(), Stride.ToString() }, 300);
                AssertStructurallyValid(path, header, length, "kill " + k + " after " + delay + " ms (seed " + _seed + ")", out var report);
                // A kill mid-batch leaves archive 0 holding two generations; the check above proved each slot whole.
                var gens0 = report.GenerationsByArchive[0];
                Assert.Equal((int)Ring / Stride, gens0.Values.Sum());
                if (gens0.Count > 1) midBatch++;
                _out.WriteLine("kill " + k + " after " + delay + " ms: archive 0 generations " +
                    string.Join(",", gens0.Select(g => g.Key + "x" + g.Value)));
            }
            _out.WriteLine(Kills + " kills, " + midBatch + " inside a batch write, " + sw.ElapsedMilliseconds + " ms");
            // The victim spends most of its time inside UpdateMany, so most kills must interrupt one; if none did,
            // this test would not be testing crash safety at all.
            Assert.True(midBatch >= Math.Max(1, 3 * Kills / 20), "only " + midBatch + " of " + Kills + " kills landed inside a batch (seed " + _seed + ")");
        }

        [Fact]
        public void KilledDuringMergesLeavesEverySlotOldOrNew()
        {
            // Three sources, each holding one generation; the victim merges them into the destination in turn.
            var sources = new List<string>();
            for (int g = 0; g < 3; g++)
            {
                string src = Path.Combine(_dir, "src" + g + ".wsp");
                WhisperFile.Create(src, Layout);
                long first = Base + g * Ring;
                using (var f = WhisperFile.Open(src, FileOpenMode.ReadWrite))
                    f.UpdateMany(Enumerable.Range(0, (int)Ring / Stride).Select(i => new Point(first + Stride * i, first + Stride * i + 0.5)).ToList(), first + Ring - 1);
                sources.Add(src + ":" + (first + Ring - 1).ToString(CultureInfo.InvariantCulture));
            }
            string dst = Path.Combine(_dir, "dst.wsp");
            WhisperFile.Create(dst, Layout);
            var header = File.ReadAllBytes(dst).Take(WhisperHeader.HeaderSize(Layout.Length)).ToArray();
            long length = new FileInfo(dst).Length;
            int Kills = KillCount.Of(20);
            int mixed = 0;
            var sw = Stopwatch.StartNew();
            for (int k = 0; k < Kills; k++)
            {
                var order = sources.OrderBy(_ => _rng.Next()).ToArray();
                int delay = KillAtRandom(new[] { "merge-loop", dst }.Concat(order).ToArray(), 300);
                AssertStructurallyValid(dst, header, length, "merge kill " + k + " after " + delay + " ms (seed " + _seed + ")", out var report);
                var gens0 = report.GenerationsByArchive[0];
                Assert.True(gens0.Keys.All(g => g >= 0 && g < 3), "a slot holds a point no source had");
                if (gens0.Count > 1) mixed++;
                _out.WriteLine("merge kill " + k + " after " + delay + " ms: archive 0 generations " +
                    string.Join(",", gens0.Select(g => g.Key + "x" + g.Value)));
            }
            _out.WriteLine(Kills + " kills, " + mixed + " inside a merge's archive write, " + sw.ElapsedMilliseconds + " ms");
            Assert.True(mixed >= Math.Max(1, 3 * Kills / 20), "only " + mixed + " of " + Kills + " kills landed inside a merge (seed " + _seed + ")");
        }

        [Fact]
        public void KilledDuringSetAggregationLeavesAValidHeaderAndUntouchedData()
        {
            string path = Path.Combine(_dir, "agg.wsp");
            WhisperFile.Create(path, Layout);
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                f.UpdateMany(Enumerable.Range(0, (int)Ring).Select(i => new Point(Base + i, Base + i + 0.5)).ToList(), Base + Ring - 1);
            var before = File.ReadAllBytes(path);
            int headerSize = WhisperHeader.HeaderSize(Layout.Length);
            int Kills = KillCount.Of(15);
            var seen = new HashSet<string>();
            for (int k = 0; k < Kills; k++)
            {
                int delay = KillAtRandom(new[] { "setagg-loop", path }, 200);
                var after = File.ReadAllBytes(path);
                Assert.Equal(before.Length, after.Length);
                // Only the 16-byte metadata may differ; the archive table and every data byte must not.
                Assert.True(before.Skip(16).SequenceEqual(after.Skip(16)), "set-aggregation kill " + k + " changed more than the metadata");
                var h = WhisperFile.ReadHeader(path);
                Assert.Contains((double)h.XFilesFactor, new[] { 0, 0.25, 0.5, 0.75, 1 });
                Assert.Equal(before.Take(8).Skip(4), after.Take(8).Skip(4)); // maxRetention
                Assert.Equal(before.Skip(12).Take(headerSize - 12), after.Skip(12).Take(headerSize - 12));
                seen.Add(h.AggregationMethod + "/" + h.XFilesFactor);
                _out.WriteLine("set-aggregation kill " + k + " after " + delay + " ms: " + h.AggregationMethod + ", xff " + h.XFilesFactor);
            }
            _out.WriteLine(Kills + " kills; " + seen.Count + " distinct settings left behind");
        }

        [Fact]
        public void KilledDuringOverwritingCreateLeavesTheOldOrTheNewFileWhole()
        {
            string path = Path.Combine(_dir, "create.wsp");
            WhisperFile.Create(path, new[] { new ArchiveSpec(1, 20000) });
            var valid = new Dictionary<long, string>
            {
                [WhisperHeader.HeaderSize(1) + 20000L * 12] = "1s:20000",
                [WhisperHeader.HeaderSize(2) + (8640L + 10080) * 12] = "10s:1d,1m:7d",
            };
            int Kills = KillCount.Of(15);
            var seen = new HashSet<string>();
            for (int k = 0; k < Kills; k++)
            {
                int delay = KillAtRandom(new[] { "create-loop", path }, 200);
                var h = WhisperFile.ReadHeader(path); // first: completes or discards a journal the kill left
                var bytes = File.ReadAllBytes(path);
                Assert.True(valid.ContainsKey(bytes.Length), "overwrite kill " + k + ": a " + bytes.Length + "-byte file is neither layout");
                Assert.Equal(h.FileSize, bytes.Length);
                Assert.True(bytes.Skip(h.Size).All(b => b == 0), "overwrite kill " + k + ": the new file's data is not all zero");
                seen.Add(valid[bytes.Length]);
                _out.WriteLine("overwrite kill " + k + " after " + delay + " ms: " + valid[bytes.Length]);
            }
            // Overwriting rewrites the file in place: no temporary file, and the journal is gone once the file was opened.
            var leftovers = Directory.GetFiles(_dir).Where(f => f != path).Select(Path.GetFileName).ToArray();
            Assert.Empty(leftovers);
            _out.WriteLine(Kills + " kills; layouts seen: " + string.Join(", ", seen));
        }
    }

    [CollectionDefinition("processes", DisableParallelization = true)]
    public sealed class ProcessCollection { }
}
