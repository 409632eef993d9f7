using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// FillGaps (Repair-WhisperFile): the fill semantics table against an independent reference (the target's
    /// values where it has them, else the first source's; rollups as python whisper computes them from the filled
    /// data), several sources, different schemas, randomized layouts, and python's whisper-fill on the same files
    /// to show where it is right and where it is not.
    /// </summary>
    [Trait(Needs.Trait, Needs.Python)]
    [Collection(PythonCollection.Name)]
    public sealed class FillTests : IDisposable
    {
        private const long Now = 1_500_000_000; // a multiple of 3600
        private readonly TempDir _dir = new TempDir();
        private readonly PythonWhisperFixture _py;
        private readonly ITestOutputHelper _out;

        public FillTests(PythonWhisperFixture py, ITestOutputHelper output)
        {
            _py = py;
            _out = output;
        }

        public void Dispose() => _dir.Dispose();

        /// <summary>The known values of the archive with this step over its whole window.</summary>
        internal static SortedDictionary<long, double> Known(string path, long step, long now)
        {
            var header = WhisperFile.ReadHeader(path);
            var a = header.Archives.First(x => x.SecondsPerPoint == step);
            var r = Fetch(path, now - a.Retention, now, now, step);
            var d = new SortedDictionary<long, double>();
            if (r == null) return d;
            for (int i = 0; i < r.Count; i++)
                if (r.TryGetValue(i, out double v)) d[r.TimestampAt(i)] = v;
            return d;
        }

        private static double Source(long t) => (t / 10) % 7; // 0.0 every seventh slot: a value like any other

        private static string Dump(IDictionary<long, double> d, long from, long until, long step)
        {
            var sb = new StringBuilder();
            for (long t = from; t <= until; t += step) sb.Append(d.TryGetValue(t, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "_").Append(' ');
            return sb.ToString();
        }

        // Archive 0 (10 s, 1 h) of the target has: a leading gap, single-slot gaps, a 2-slot gap, a 50-slot gap,
        // a trailing gap, its own 0.0 values, and a value right after every gap. The source has every slot.
        private (string Target, string Source, SortedDictionary<long, double> Expected) SemanticsCase(params ArchiveSpec[] layout)
            => SemanticsCase(AggregationMethod.Average, 0.5, layout);

        private (string Target, string Source, SortedDictionary<long, double> Expected) SemanticsCase(AggregationMethod method, double xff, params ArchiveSpec[] layout)
        {
            string src = Create(_dir.File("src.wsp"), xff, method, layout);
            string dst = Create(_dir.File("dst.wsp"), xff, method, layout);
            long first = Now - 3600 + 10, last = Now;
            var gaps = new HashSet<long>();
            void Gap(long from, int slots) { for (int i = 0; i < slots; i++) gaps.Add(from + 10 * i); }
            Gap(first, 5);                 // leading
            Gap(first + 100, 1);           // single
            Gap(first + 220, 1);           // single, between two non-zero values
            Gap(first + 300, 2);           // two
            Gap(first + 500, 50);          // many
            Gap(last - 20, 3);             // trailing, up to now
            var srcPoints = new List<Point>();
            var dstPoints = new List<Point>();
            var expected = new SortedDictionary<long, double>();
            for (long t = first; t <= last; t += 10)
            {
                srcPoints.Add(P(t, Source(t)));
                if (gaps.Contains(t))
                {
                    expected[t] = Source(t);
                    continue;
                }
                // The target's own values differ from the source's, so an overwrite shows; every 5th is 0.0.
                double own = (t / 10) % 5 == 0 ? 0.0 : 1000 + (t / 10) % 11;
                dstPoints.Add(P(t, own));
                expected[t] = own;
            }
            UpdateMany(src, Now, srcPoints);
            UpdateMany(dst, Now, dstPoints);
            return (dst, src, expected);
        }

        [Fact]
        public void SemanticsTable_OnlyEmptySlotsAreFilled()
        {
            var (dst, src, expected) = SemanticsCase(A(10, 360));
            var r = WhisperFile.FillGaps(dst, new[] { src }, now: Now);
            var got = Known(dst, 10, Now);
            Assert.Equal(Dump(expected, Now - 3590, Now, 10), Dump(got, Now - 3590, Now, 10));
            Assert.Equal(5 + 1 + 1 + 2 + 50 + 3, r.Archives[0].FromSources);
            Assert.Equal(0, r.Archives[0].StillEmpty);
            Assert.Equal(new[] { src }, r.SourcesUsed);
            // Nothing left to do: a second run changes nothing.
            var before = File.ReadAllBytes(dst);
            var again = WhisperFile.FillGaps(dst, new[] { src }, now: Now);
            Assert.Equal(0, again.Filled);
            Assert.Equal(before, File.ReadAllBytes(dst));
        }

        [Fact]
        public void DryRunCountsWithoutWriting()
        {
            var (dst, src, _) = SemanticsCase(A(10, 360), A(60, 240));
            var before = File.ReadAllBytes(dst);
            var dry = WhisperFile.FillGaps(dst, new[] { src }, now: Now, dryRun: true);
            Assert.True(dry.DryRun);
            Assert.Equal(before, File.ReadAllBytes(dst));
            var real = WhisperFile.FillGaps(dst, new[] { src }, now: Now);
            Assert.Equal(dry.Archives.Select(a => (a.FromSources, a.FromRollup, a.Recomputed, a.StillEmpty)),
                real.Archives.Select(a => (a.FromSources, a.FromRollup, a.Recomputed, a.StillEmpty)));
            Assert.NotEqual(before, File.ReadAllBytes(dst));
        }

        /// <summary>Rollups: after the fill, the 1-minute archive over the 10-second archive's window holds what
        /// python whisper computes when the filled series arrives through update_many into a fresh file.</summary>
        [Theory]
        [InlineData(AggregationMethod.Average, 0.5)]
        [InlineData(AggregationMethod.Sum, 0.0)]
        [InlineData(AggregationMethod.Max, 0.5)]
        [InlineData(AggregationMethod.Last, 0.0)]
        [InlineData(AggregationMethod.AvgZero, 0.5)]
        public void RollupsAgreeWithTheFilledData(AggregationMethod method, double xff)
        {
            var layout = new[] { A(10, 360), A(60, 240) };
            var (dst, src, expected) = SemanticsCase(method, xff, layout);
            WhisperFile.FillGaps(dst, new[] { src }, now: Now);
            Assert.Equal(Dump(expected, Now - 3590, Now, 10), Dump(Known(dst, 10, Now), Now - 3590, Now, 10));
            string reference = PythonReference(layout, method, xff, expected);
            var want = Known(reference, 60, Now).Where(kv => kv.Key >= Now - 3600).ToDictionary(kv => kv.Key, kv => kv.Value);
            var got = Known(dst, 60, Now).Where(kv => kv.Key >= Now - 3600).ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Equal(Dump(want, Now - 3600, Now, 60), Dump(got, Now - 3600, Now, 60));
        }

        private string PythonReference(ArchiveSpec[] layout, AggregationMethod method, double xff, IDictionary<long, double> points)
        {
            string path = _dir.File("reference-" + Guid.NewGuid().ToString("N") + ".wsp");
            var code = new StringBuilder();
            code.AppendLine("import whisper");
            code.AppendLine("whisper.create(" + Py(path) + ", [" + string.Join(",", layout.Select(a => "(" + a.SecondsPerPoint + "," + a.Points + ")")) +
                "], xFilesFactor=" + xff.ToString("R", CultureInfo.InvariantCulture) + ", aggregationMethod=" + Py(Aggregation.ToWhisperName(method)) + ")");
            code.AppendLine("pts = [" + string.Join(",", points.Select(kv => "(" + kv.Key + ",float.fromhex(" + Py(HexFloat(kv.Value)) + "))")) + "]");
            code.AppendLine("whisper.update_many(" + Py(path) + ", pts, now=" + Now + ")");
            _py.RunCode(code.ToString());
            return path;
        }

        /// <summary>python's whisper-fill (1.1.4, /usr/bin/whisper-fill imported by path, its clock pinned to Now)
        /// on a copy of the same damaged file: where it fills a slot its value is ours; it also overwrites the value
        /// after every gap and the target's 0.0 values, and leaves single-slot gaps, which we count and print.</summary>
        [Fact]
        public void WhisperFillComparison_AgreesWhereItIsRight_AndShowsItsDefects()
        {
            var (dst, src, expected) = SemanticsCase(A(10, 360));
            string theirs = _dir.File("theirs.wsp");
            File.Copy(dst, theirs);
            var original = Known(dst, 10, Now);
            RunWhisperFill(src, theirs);
            WhisperFile.FillGaps(dst, new[] { src }, now: Now);
            var ours = Known(dst, 10, Now);
            var py = Known(theirs, 10, Now);
            Assert.Equal(Dump(expected, Now - 3590, Now, 10), Dump(ours, Now - 3590, Now, 10));

            int agree = 0, overwritten = 0, zerosOverwritten = 0, missed = 0;
            for (long t = Now - 3590; t <= Now; t += 10)
            {
                bool had = original.TryGetValue(t, out double own);
                bool pyHas = py.TryGetValue(t, out double pv);
                if (had)
                {
                    if (!pyHas || BitConverter.DoubleToInt64Bits(pv) != BitConverter.DoubleToInt64Bits(own))
                    {
                        overwritten++;
                        if (own == 0.0) zerosOverwritten++;
                    }
                }
                else if (!pyHas) missed++;
                else
                {
                    // A slot whisper-fill filled: it must hold what we filled it with.
                    Assert.Equal(ours[t], pv);
                    agree++;
                }
            }
            _out.WriteLine("whisper-fill on the semantics table: " + agree + " gap slots filled as we fill them, " + missed +
                " gap slots left empty, " + overwritten + " existing values overwritten (" + zerosOverwritten + " of them 0.0)");
            Assert.True(agree > 0);
            // The defects the issue reports, reproduced: whisper-fill is not what we compare our values against.
            Assert.True(overwritten > 0, "whisper-fill overwrote no value: the fence-post defect did not reproduce");
            Assert.True(missed > 0, "whisper-fill missed no gap: the single-slot defect did not reproduce");
        }

        private void RunWhisperFill(string src, string dst)
        {
            _py.RunCode(string.Join("\n",
                "import time, importlib.util, importlib.machinery",
                "time.time = lambda: " + Now + ".0",
                "loader = importlib.machinery.SourceFileLoader('whisper_fill', '/usr/bin/whisper-fill')",
                "spec = importlib.util.spec_from_loader('whisper_fill', loader)",
                "wf = importlib.util.module_from_spec(spec)",
                "loader.exec_module(wf)",
                "wf.fill_archives(" + Py(src) + ", " + Py(dst) + ", " + Now + ".0)"));
        }

        [Fact]
        public void SeveralSources_EachSlotFromTheFirstThatHasIt()
        {
            var layout = new[] { A(10, 360), A(60, 240) };
            string a = Create(_dir.File("a.wsp"), layout), b = Create(_dir.File("b.wsp"), layout), dst = Create(_dir.File("dst.wsp"), layout);
            var times = Enumerable.Range(0, 300).Select(i => Now - 10 * i).ToList();
            UpdateMany(a, Now, times.Where(t => t % 30 != 0).Select(t => P(t, 1)));           // a misses every third slot
            UpdateMany(b, Now, times.Where(t => t % 20 == 0).Select(t => P(t, 2)));           // b has every other slot
            UpdateMany(dst, Now, times.Where(t => t < Now - 2000).Select(t => P(t, 3)));     // dst lost its last 2000 s
            var r = WhisperFile.FillGaps(dst, new[] { _dir.File("missing.wsp"), a, b }, now: Now);
            var got = Known(dst, 10, Now);
            foreach (long t in times)
            {
                double? want = t < Now - 2000 ? 3 : t % 30 != 0 ? 1 : t % 20 == 0 ? 2 : (double?)null;
                Assert.True(want == (got.TryGetValue(t, out var v) ? v : (double?)null), "slot " + t);
            }
            Assert.Single(r.SourceFailures);
            Assert.IsType<FileNotFoundException>(r.SourceFailures[0].Error);
            Assert.Equal(new[] { a, b }, r.SourcesUsed);
            Assert.True(r.SlotsBySource[1] > r.SlotsBySource[2] && r.SlotsBySource[2] > 0);
        }

        /// <summary>A finer source is rolled up to the target's step (method and xFilesFactor of the target); a
        /// coarser source fills only the target's archives at least as coarse, never finer slots.</summary>
        [Fact]
        public void DifferentSchemas_FinerSourceRolledUp_CoarserSourceOnlyFillsCoarseArchives()
        {
            string fine = Create(_dir.File("fine.wsp"), A(5, 720));
            string coarse = Create(_dir.File("coarse.wsp"), A(60, 1440));
            string dst = Create(_dir.File("dst.wsp"), 0.5, AggregationMethod.Sum, A(10, 360), A(60, 1440));
            // fine: 5 s points for the last 20 minutes, but only one of the two halves of every third 10 s slot.
            UpdateMany(fine, Now, Enumerable.Range(0, 240).Where(i => !(i % 6 == 1)).Select(i => P(Now - 5 * i, i)));
            UpdateMany(coarse, Now, Enumerable.Range(0, 1400).Select(i => P(Now - 60 * i, 1000 + i)));
            var r = WhisperFile.FillGaps(dst, new[] { fine, coarse }, now: Now);
            var got10 = Known(dst, 10, Now);
            // Every 10 s slot of the last 20 minutes: the sum of its two 5 s points (xff 0.5 lets one of two through).
            for (int j = 0; j <= 120; j++)
            {
                long t = Now - 10 * j;
                double want = 0;
                foreach (int i in new[] { 2 * j, 2 * j - 1 }) if (i >= 0 && i < 240 && i % 6 != 1) want += i;
                if (j == 0) want = 0; // the slot at now: its second 5 s point is in the future
                Assert.True(got10.TryGetValue(t, out double v), "10 s slot " + t + " empty");
                if (j > 0) Assert.Equal(want, v);
            }
            // Older 10 s slots: only coarse data exists there, which never fills them.
            Assert.Equal(121, got10.Count(kv => kv.Key > Now - 3600));
            var got60 = Known(dst, 60, Now);
            // 1-minute slots under the filled 10 s ones are their sums; older ones come from the coarse source.
            long old = Now - 7200;
            Assert.Equal(1000 + 120, got60[old]);
            Assert.Equal(0, r.Archives[0].Recomputed);
            Assert.True(r.Archives[1].FromRollup >= 19 && r.Archives[1].FromSources > 1000, r.Archives[1].FromRollup + " / " + r.Archives[1].FromSources);
        }

        [Fact]
        public void SlotsHoldingNewerPointsAreNeverWritten()
        {
            string src = Create(_dir.File("src.wsp"), A(10, 6));
            string dst = Create(_dir.File("dst.wsp"), A(10, 6));
            UpdateMany(src, Now, Enumerable.Range(0, 6).Select(i => P(Now - 10 * i, 1)));
            // dst holds a point 50 s in the future of the fill's now: its slot is the one of Now - 10.
            UpdateMany(dst, Now + 50, P(Now + 50, 7));
            var r = WhisperFile.FillGaps(dst, new[] { src }, now: Now);
            Assert.Equal(5, r.Archives[0].FromSources);
            Assert.Equal(7, Known(dst, 10, Now + 50)[Now + 50]);
        }

        /// <summary>Random layouts, gaps, zeros and sources; archive 0 against the merge reference, coarser
        /// archives over archive 0's window against python whisper's propagation of the filled series.</summary>
        [Fact]
        public void Randomized_AgainstTheReference()
        {
            int seed = Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            var methods = Aggregation.All;
            for (int round = 0; round < 12; round++)
            {
                string ctx = "seed " + seed + " round " + round;
                long step = new long[] { 1, 5, 10, 60 }[rng.Next(4)];
                int points = 50 + rng.Next(300);
                int factor = new[] { 2, 3, 5, 6 }[rng.Next(4)];
                var layout = new[] { A(step, points), A(step * factor, points) };
                var method = methods[rng.Next(methods.Count)];
                double xff = new[] { 0.0, 0.3, 0.5, 1.0 }[rng.Next(4)];
                string dir = _dir.File("r" + round);
                Directory.CreateDirectory(dir);
                string dst = Create(Path.Combine(dir, "dst.wsp"), xff, method, layout);
                var sources = new List<string>();
                var sourceValues = new List<Dictionary<long, double>>();
                int nsrc = 1 + rng.Next(3);
                long window = step * points;
                for (int s = 0; s < nsrc; s++)
                {
                    string path = Create(Path.Combine(dir, "s" + s + ".wsp"), xff, method, layout);
                    var d = new Dictionary<long, double>();
                    for (long t = Now - window + step; t <= Now; t += step)
                        if (rng.NextDouble() < 0.7) d[t] = rng.Next(4) == 0 ? 0.0 : Math.Round(rng.NextDouble() * 100, 2);
                    UpdateMany(path, Now, d.Select(kv => P(kv.Key, kv.Value)));
                    sources.Add(path);
                    sourceValues.Add(d);
                }
                var own = new Dictionary<long, double>();
                for (long t = Now - window + step; t <= Now; t += step)
                    if (rng.NextDouble() < 0.5) own[t] = rng.Next(3) == 0 ? 0.0 : -Math.Round(rng.NextDouble() * 100, 2);
                UpdateMany(dst, Now, own.Select(kv => P(kv.Key, kv.Value)));

                var expected = new SortedDictionary<long, double>();
                for (long t = Now - window + step; t <= Now; t += step)
                {
                    if (own.TryGetValue(t, out double v)) { expected[t] = v; continue; }
                    foreach (var d in sourceValues)
                        if (d.TryGetValue(t, out v)) { expected[t] = v; break; }
                }
                WhisperFile.FillGaps(dst, sources, now: Now);
                Assert.True(Dump(expected, Now - window + step, Now, step) == Dump(Known(dst, step, Now), Now - window + step, Now, step), ctx + " archive 0");
                string reference = PythonReference(layout, method, xff, expected);
                long cstep = step * factor;
                long firstLive = PyMath.Align(Now - window, step) + step;
                var want = Known(reference, cstep, Now).Where(kv => kv.Key >= firstLive).ToDictionary(kv => kv.Key, kv => kv.Value);
                var got = Known(dst, cstep, Now).Where(kv => kv.Key >= firstLive).ToDictionary(kv => kv.Key, kv => kv.Value);
                long firstCoarse = PyMath.Align(firstLive + cstep - 1, cstep);
                Assert.True(Dump(want, firstCoarse, Now, cstep) == Dump(got, firstCoarse, Now, cstep),
                    ctx + " archive 1 (" + method + ", xff " + xff + ")\nwant " + Dump(want, firstCoarse, Now, cstep) + "\ngot  " + Dump(got, firstCoarse, Now, cstep));
            }
        }

        internal static string Py(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

        internal static string HexFloat(double v)
        {
            if (double.IsNaN(v)) return "nan";
            if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
            long bits = BitConverter.DoubleToInt64Bits(v);
            bool neg = bits < 0;
            int exp = (int)((bits >> 52) & 0x7FF);
            long mant = bits & 0xFFFFFFFFFFFFFL;
            if (exp == 0 && mant == 0) return (neg ? "-" : "") + "0x0p+0";
            string m = mant.ToString("x13");
            return (neg ? "-" : "") + (exp == 0 ? "0x0." + m + "p-1022" : "0x1." + m + "p" + (exp - 1023).ToString("+0;-0", CultureInfo.InvariantCulture));
        }
    }
}
