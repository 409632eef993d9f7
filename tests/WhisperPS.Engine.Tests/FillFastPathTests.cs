using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// The fill's fast path (whole files read at once into buffers reused from file to file, stretches no data can
    /// reach counted instead of visited, runs of known slots passed over in one scan, bigger write groups) against
    /// the same decisions taken slot by slot over the whole range (the exhaustive planner) and, where the case allows,
    /// against a plain reference of archive 0 (the target's value where it had one, else the first source's). Random
    /// schemas (sources finer, coarser or equal), sparse and clustered data, 0.0 values, unanchored archives, points
    /// newer than the fill's now, ranges; one thread, files of changing sizes in a row, so a buffer reused with stale
    /// bytes would show.
    /// </summary>
    public sealed class FillFastPathTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir();
        private readonly ITestOutputHelper _out;

        public FillFastPathTests(ITestOutputHelper output) => _out = output;

        public void Dispose() => _dir.Dispose();

        private static ArchiveSpec[] RandomLayout(Random rng)
        {
            long step = new long[] { 1, 5, 10, 60 }[rng.Next(4)];
            long points = 10 + rng.Next(400);
            int count = 1 + rng.Next(3);
            var layout = new List<ArchiveSpec> { A(step, points) };
            for (int i = 1; i < count; i++)
            {
                long factor = new long[] { 2, 3, 5, 6, 10 }[rng.Next(5)];
                if (points < factor) break;
                points = points / factor + 1 + rng.Next(600);
                step *= factor;
                layout.Add(A(step, points));
            }
            return layout.ToArray();
        }

        // Points of a random cluster of the file's retention (sometimes none, sometimes all of it), with gaps and zeros.
        private static List<Point> RandomPoints(Random rng, ArchiveSpec[] layout, long now)
        {
            var list = new List<Point>();
            int shape = rng.Next(6);
            if (shape == 0) return list; // an empty file: every archive unanchored
            long step = layout[0].SecondsPerPoint;
            long span = layout[layout.Length - 1].Retention;
            long from = now - span + 1, until = now;
            if (shape >= 3)
            {
                // A cluster: e.g. a replica that holds only its last day of a month-long rollup.
                long a = now - (long)(rng.NextDouble() * span), b = now - (long)(rng.NextDouble() * span);
                from = Math.Min(a, b);
                until = Math.Max(a, b);
            }
            double density = new[] { 0.3, 0.7, 0.95, 1.0 }[rng.Next(4)];
            // Older than the finest archive, one point per coarse step is enough (and keeps files quick to write).
            for (long t = until; t >= from && list.Count < 20000; )
            {
                if (rng.NextDouble() < density)
                    list.Add(P(t, rng.Next(5) == 0 ? 0.0 : Math.Round(rng.NextDouble() * 100 - 20, 2)));
                long age = now - t;
                long s = step;
                foreach (var a in layout)
                    if (age >= a.Retention - s) s = a.SecondsPerPoint; // past this archive: the next one's step
                t -= s;
            }
            return list;
        }

        [Fact]
        public void FastPath_EqualsSlotBySlot_AndTheReference()
        {
            int seed = Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            var methods = Aggregation.All;
            int referenceChecked = 0, skippedSlots = 0, filled = 0;
            for (int round = 0; round < 250; round++)
            {
                string ctx = "seed " + seed + " round " + round;
                string dir = _dir.File("r" + round);
                Directory.CreateDirectory(dir);
                long writeNow = 1_500_000_000 + rng.Next(100_000);
                var layout = RandomLayout(rng);
                var method = methods[rng.Next(methods.Count)];
                double xff = new[] { 0.0, 0.3, 0.5, 1.0 }[rng.Next(4)];
                string target = Create(Path.Combine(dir, "target.wsp"), xff, method, layout);
                UpdateMany(target, writeNow, RandomPoints(rng, layout, writeNow));

                int nsrc = 1 + rng.Next(3);
                var sources = new List<string>();
                var sameFinest = new List<bool>();
                for (int s = 0; s < nsrc; s++)
                {
                    var sl = rng.Next(2) == 0 ? layout : RandomLayout(rng);
                    string path = Create(Path.Combine(dir, "s" + s + ".wsp"), xff, methods[rng.Next(methods.Count)], sl);
                    UpdateMany(path, writeNow, RandomPoints(rng, sl, writeNow));
                    sources.Add(path);
                    sameFinest.Add(sl[0].SecondsPerPoint == layout[0].SecondsPerPoint && sl[0].Points == layout[0].Points);
                }
                // The fill's now: usually the writers' (points newer than it sit in the slots otherwise).
                long now = rng.Next(3) > 0 ? writeNow : writeNow + (rng.Next(2) == 0 ? -1 : 1) * rng.Next((int)layout[0].Retention);
                long? from = null, until = null;
                if (rng.Next(3) == 0)
                {
                    long span = layout[layout.Length - 1].Retention;
                    from = now - (long)(rng.NextDouble() * span);
                    until = from + (long)(rng.NextDouble() * (now - from.Value));
                }

                string fast = Path.Combine(dir, "fast.wsp"), slow = Path.Combine(dir, "slow.wsp"), dry = Path.Combine(dir, "dry.wsp");
                foreach (var copy in new[] { fast, slow, dry }) File.Copy(target, copy);
                var before = File.ReadAllBytes(target);
                var rf = WhisperFile.FillGaps(fast, sources, from, until, now);
                var rs = WhisperFile.FillGapsCore(slow, sources, from, until, now, false, false, CancellationToken.None, null, exhaustive: true);
                var rd = WhisperFile.FillGaps(dry, sources, from, until, now, dryRun: true);

                Assert.True(File.ReadAllBytes(fast).SequenceEqual(File.ReadAllBytes(slow)), ctx + ": the files differ");
                Assert.True(File.ReadAllBytes(dry).SequenceEqual(before), ctx + ": the dry run wrote");
                Assert.Equal(Counts(rs), Counts(rf));
                Assert.Equal(Counts(rf), Counts(rd));
                Assert.Equal(rs.SlotsBySource, rf.SlotsBySource);
                skippedSlots += (int)rf.Archives.Sum(a => a.StillEmpty);
                filled += (int)(rf.Filled + rf.Recomputed);

                // The plain reference, where it applies: no point newer than the fill's now, and every source with
                // the target's finest archive.
                if (now == writeNow && sameFinest.All(x => x))
                {
                    long step = layout[0].SecondsPerPoint;
                    var own = FillTests.Known(target, step, now);
                    var srcs = sources.Select(s => FillTests.Known(s, step, now)).ToList();
                    var got = FillTests.Known(fast, step, now);
                    long lo = from.HasValue ? PyMath.Align(from.Value, step) + step : long.MinValue;
                    long hi = until.HasValue ? PyMath.Align(until.Value, step) : long.MaxValue;
                    foreach (var t in own.Keys.Union(got.Keys).Union(srcs.SelectMany(x => x.Keys)).Distinct())
                    {
                        double? want = own.TryGetValue(t, out double v) ? v : (double?)null;
                        if (want == null && t >= lo && t <= hi)
                            foreach (var s in srcs)
                                if (s.TryGetValue(t, out v)) { want = v; break; }
                        double? have = got.TryGetValue(t, out v) ? v : (double?)null;
                        Assert.True(Nullable.Equals(want, have), ctx + ": archive 0 at " + t + " holds " + have + ", want " + want);
                    }
                    referenceChecked++;
                }
            }
            _out.WriteLine(referenceChecked + " rounds also checked against the reference; " + filled + " slots filled or recomputed, " +
                skippedSlots + " left empty in all");
            Assert.True(filled > 1000, "the cases must fill something: " + filled);
            Assert.True(referenceChecked >= 20, "too few rounds the reference applies to: " + referenceChecked);
        }

        /// <summary>A finer source whose only points are newer than the fill's now (written by a node with a later
        /// clock): they sit past its window, under the target's last rollup, which the fast path must not skip.</summary>
        [Fact]
        public void PointsNewerThanTheFillsNow_StillReachTheLastRollup()
        {
            const long now = 1_500_000_000 + 300; // the last 10-minute slot is 1_500_000_000
            string target = Create(_dir.File("t.wsp"), 0.0, AggregationMethod.Sum, A(60, 100), A(600, 100));
            string source = Create(_dir.File("s.wsp"), 0.0, AggregationMethod.Sum, A(60, 100));
            UpdateMany(source, now + 240, Enumerable.Range(1, 4).Select(i => P(now + 60 * i, i)));
            string slow = _dir.File("slow.wsp");
            File.Copy(target, slow);
            var rs = WhisperFile.FillGapsCore(slow, new[] { source }, null, null, now, false, false, CancellationToken.None, null, exhaustive: true);
            var rf = WhisperFile.FillGaps(target, new[] { source }, now: now);
            Assert.Equal(1, rs.Archives[1].FromSources); // the slot-by-slot decision: 1 + 2 + 3 + 4 under the last rollup
            Assert.Equal(Counts(rs), Counts(rf));
            Assert.True(File.ReadAllBytes(target).SequenceEqual(File.ReadAllBytes(slow)));
            Assert.Equal(10.0, FillTests.Known(target, 600, now)[1_500_000_000]);
        }

        /// <summary>The buffers kept from file to file are larger than a file read after a bigger one: a truncated
        /// target or source is still reported as corrupt, never completed from the bytes an earlier file left.</summary>
        [Fact]
        public void ATruncatedFileAfterABiggerOneIsReportedNotFilledFromStaleBytes()
        {
            const long now = 1_500_000_000;
            string big = Create(_dir.File("big.wsp"), A(60, 2000), A(600, 2000));
            string bigSource = Create(_dir.File("bigsrc.wsp"), A(60, 2000), A(600, 2000));
            UpdateMany(bigSource, now, Enumerable.Range(0, 1000).Select(i => P(now - 60 * i, i)));
            WhisperFile.FillGaps(big, new[] { bigSource }, now: now); // the thread now keeps buffers of the big size

            string target = Create(_dir.File("t.wsp"), A(60, 100), A(600, 100));
            string source = Create(_dir.File("s.wsp"), A(60, 100), A(600, 100));
            UpdateMany(source, now, Enumerable.Range(0, 50).Select(i => P(now - 60 * i, i)));
            string cut = _dir.File("cut.wsp");
            File.Copy(target, cut);
            using (var f = new FileStream(cut, FileMode.Open)) f.SetLength(f.Length - 12);
            Assert.Throws<CorruptWhisperFileException>(() => WhisperFile.FillGaps(cut, new[] { source }, now: now));
            string cutSource = _dir.File("cutsrc.wsp");
            File.Copy(source, cutSource);
            using (var f = new FileStream(cutSource, FileMode.Open)) f.SetLength(f.Length - 12);
            var r = WhisperFile.FillGaps(target, new[] { cutSource }, now: now);
            Assert.IsType<CorruptWhisperFileException>(Assert.Single(r.SourceFailures).Error);
            Assert.Equal(0, r.Filled);
        }

        private static string Counts(FillResult r) =>
            string.Join(" | ", r.Archives.Select(a => a.FromSources + "/" + a.FromRollup + "/" + a.Recomputed + "/" + a.StillEmpty));
    }
}
