using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using WhisperPS.Engine.Comparison;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// WhisperComparer against python whisper's diff (the code behind whisper-diff) on random file pairs, over the
    /// windows whisper-diff compares, and the cases where whisper-diff is wrong: a coarse archive inside the fine
    /// archive's window, its exit code, its --json NaN.
    /// </summary>
    [Collection(PythonCollection.Name)]
    public sealed class CompareTests : IDisposable
    {
        private const long Now = 1_600_000_000;
        private readonly TempDir _dir = new TempDir();
        private readonly PythonWhisperFixture _py;
        private readonly ITestOutputHelper _out;

        public CompareTests(PythonWhisperFixture py, ITestOutputHelper output)
        {
            _py = py;
            _out = output;
        }

        public void Dispose() => _dir.Dispose();

        private static readonly ArchiveSpec[][] Schemas =
        {
            new[] { A(10, 60), A(60, 60) },
            new[] { A(1, 120), A(10, 60), A(60, 30) },
            new[] { A(60, 100) },
            new[] { A(5, 100), A(30, 100), A(300, 50) },
        };

        /// <summary>Writes one slot's raw bytes, as damage or a direct write (whisper-merge, fill) would.</summary>
        private static void Poke(string path, int archive, long timestamp, double value)
        {
            var h = WhisperFile.ReadHeader(path);
            var a = h.Archives[archive];
            long anchor = Slot(path, archive, 0).Timestamp;
            long index = anchor == 0 ? 0 : ((timestamp - anchor) / a.SecondsPerPoint % a.Points + a.Points) % a.Points;
            var b = new byte[Point.Size];
            BigEndian.WriteUInt32(b, 0, (uint)timestamp);
            BigEndian.WriteDouble(b, 4, value);
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
            {
                f.Position = a.Offset + index * Point.Size;
                f.Write(b, 0, b.Length);
            }
        }

        private (string A, string B) RandomPair(Random rng, int n)
        {
            var schema = Schemas[rng.Next(Schemas.Length)];
            var method = Aggregation.All[rng.Next(5)];
            string a = Create(_dir.File("a" + n + ".wsp"), 0.5, method, schema);
            long maxRet = schema.Max(s => s.Retention);
            var points = Enumerable.Range(0, rng.Next(0, 400))
                .Select(_ => P(Now - rng.Next(0, (int)maxRet), Math.Round(rng.NextDouble() * 100, rng.Next(0, 3)))).ToArray();
            if (points.Length > 0) UpdateMany(a, Now, points);
            string b = _dir.File("b" + n + ".wsp");
            File.Copy(a, b);
            // Some changes through whisper's own write path (they propagate), some straight into a random archive.
            var more = Enumerable.Range(0, rng.Next(0, 30))
                .Select(_ => P(Now - rng.Next(0, (int)maxRet), rng.Next(0, 5))).ToArray();
            if (more.Length > 0) UpdateMany(rng.Next(2) == 0 ? a : b, Now, more);
            for (int i = rng.Next(0, 4); i > 0; i--)
            {
                int k = rng.Next(schema.Length);
                long step = schema[k].SecondsPerPoint;
                long t = (Now - rng.Next(0, (int)schema[k].Retention)) / step * step;
                Poke(rng.Next(2) == 0 ? a : b, k, t, rng.Next(0, 5));
            }
            return (a, b);
        }

        private static string Py(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

        /// <summary>python's whisper.diff for the pair: per archive, (differences as (t, a, b)), total.</summary>
        private List<(int Archive, List<(long T, double? A, double? B)> Diffs, int Total)> PythonDiff(string a, string b, bool ignoreEmpty, long now = Now)
        {
            string code = "import json, whisper\n" +
                "r = whisper.diff(" + Py(a) + ", " + Py(b) + ", ignore_empty=" + (ignoreEmpty ? "True" : "False") + ", now=" + now + ")\n" +
                "print(json.dumps([[n, [[p[0], p[1], p[2]] for p in d], t] for n, d, t in r]))\n";
            using var doc = JsonDocument.Parse(_py.RunCode(code));
            var result = new List<(int, List<(long, double?, double?)>, int)>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                var diffs = e[1].EnumerateArray().Select(p => (p[0].GetInt64(),
                    p[1].ValueKind == JsonValueKind.Null ? (double?)null : p[1].GetDouble(),
                    p[2].ValueKind == JsonValueKind.Null ? (double?)null : p[2].GetDouble())).ToList();
                result.Add((e[0].GetInt32(), diffs, e[2].GetInt32()));
            }
            return result;
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Python)]
        public void RandomPairsAgreeWithWhisperDiffWhereItLooks()
        {
            int seed = Environment.GetEnvironmentVariable("WHISPERPS_COMPARE_SEED") is string s ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            int differing = 0, beyond = 0;
            for (int n = 0; n < 40; n++)
            {
                var (a, b) = RandomPair(rng, n);
                bool ignoreEmpty = rng.Next(2) == 0;
                var expected = PythonDiff(a, b, ignoreEmpty);
                var h = WhisperFile.ReadHeader(a);
                long until = Now;
                var all = new List<WhisperDifference>();
                var whole = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now, IgnoreEmpty = ignoreEmpty }, all.Add);
                for (int k = 0; k < h.Archives.Count; k++)
                {
                    // whisper-diff compares archive k only over (now - its retention, now - the finer one's].
                    var mine = new List<WhisperDifference>();
                    var r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now, Until = until, IgnoreEmpty = ignoreEmpty }, mine.Add);
                    var got = mine.Where(d => d.Archive == k).Select(d => (d.Timestamp, d.ReferenceValue, d.DifferenceValue)).ToList();
                    var want = expected[k].Diffs;
                    Assert.True(want.SequenceEqual(got), "seed " + seed + " pair " + n + " archive " + k + ": python " +
                        string.Join(" ", want) + " | ours " + string.Join(" ", got));
                    Assert.Equal(expected[k].Total, r.Archives.Single(x => x.Archive == k).Compared);
                    differing += want.Count;
                    until = Math.Min(until, Now - h.Archives[k].Retention);
                }
                // Over the whole windows we see at least what whisper-diff sees.
                Assert.True(whole.Differences >= expected.Sum(e => e.Diffs.Count), "seed " + seed + " pair " + n);
                beyond += (int)whole.Differences - expected.Sum(e => e.Diffs.Count);
            }
            _out.WriteLine(differing + " differences both found; " + beyond + " more only in the coarse archives' full windows");
            Assert.True(differing > 0, "the random pairs never differed: the test compares nothing");
        }

        private string TwoArchiveFile(string name, long now)
        {
            string path = Create(_dir.File(name), 0.5, AggregationMethod.Average, A(10, 60), A(60, 60));
            UpdateMany(path, now, Enumerable.Range(0, 60).Select(i => P(now - i * 10, i)));
            return path;
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Python)]
        public void ACoarseChangeInsideTheFineWindowIsFoundThatWhisperDiffMisses()
        {
            // The real clock: whisper-diff's command line has no "now".
            long now = Clock.UnixNow();
            string a = TwoArchiveFile("a.wsp", now);
            string b = TwoArchiveFile("b.wsp", now);
            long t = (now - 120) / 60 * 60; // well inside the 10-minute fine window
            Poke(b, 1, t, 12345);

            var python = PythonDiff(a, b, false, now);
            Assert.All(python, e => Assert.Empty(e.Diffs)); // whisper-diff: "0 of N datapoints differ" everywhere

            var diffs = new List<WhisperDifference>();
            var r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = now }, diffs.Add);
            var d = Assert.Single(diffs);
            Assert.Equal((1, t, 12345.0, DifferenceKind.Value), (d.Archive, d.Timestamp, d.DifferenceValue.Value, d.Kind));
            Assert.False(r.Identical);
            Assert.Equal(1, r.Archives[1].ValueDifferences);
            Assert.Equal(0, r.Archives[0].Differences);

            // whisper-diff exits 0 although the files differ, even where it does see a difference.
            Poke(b, 0, now / 10 * 10 - 30, -1);
            var run = PythonWhisperFixture.Run("/usr/bin/whisper-diff", "\"" + a + "\" \"" + b + "\"", null, TimeSpan.FromMinutes(1));
            Assert.Contains("1 of", run.StdOut);
            Assert.Equal(0, run.ExitCode);
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Python)]
        public void NaNEqualsNaNAndWhisperDiffJsonIsNotJson()
        {
            long now = Clock.UnixNow(); // whisper-diff's command line has no "now"
            string a = Create(_dir.File("a.wsp"), A(60, 60));
            string b = Create(_dir.File("b.wsp"), A(60, 60));
            long t = now / 60 * 60 - 60;
            UpdateMany(a, now, P(t, double.NaN), P(t - 60, double.NaN));
            UpdateMany(b, now, P(t, double.NaN), P(t - 60, 1));
            var diffs = new List<WhisperDifference>();
            var r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = now }, diffs.Add);
            var d = Assert.Single(diffs);
            Assert.Equal(t - 60, d.Timestamp);
            Assert.True(double.IsNaN(d.ReferenceValue.Value));
            Assert.Equal(1.0, d.DifferenceValue);
            Assert.Equal(2, r.Archives[0].Compared);

            var run = PythonWhisperFixture.Run("/usr/bin/whisper-diff", "--json \"" + a + "\" \"" + b + "\"", null, TimeSpan.FromMinutes(1));
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("NaN", run.StdOut);
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(run.StdOut));
        }

        [Fact]
        public void DifferentSchemasCompareTheResolutionsTheyShare()
        {
            string a = Create(_dir.File("a.wsp"), 0.5, AggregationMethod.Average, A(10, 360), A(60, 1440));
            string b = Create(_dir.File("b.wsp"), 0.5, AggregationMethod.Average, A(10, 720), A(300, 288));
            var pts = Enumerable.Range(0, 700).Select(i => P(Now - i * 10, i % 7)).ToArray();
            UpdateMany(a, Now, pts);
            UpdateMany(b, Now, pts);
            var diffs = new List<WhisperDifference>();
            var r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now }, diffs.Add);
            var only = Assert.Single(r.Archives);
            Assert.Equal((0, 0, 10L, 360), (only.Archive, only.DifferenceArchive, only.SecondsPerPoint, only.Slots));
            Assert.Empty(diffs); // b's extra hour lies outside a's window
            Assert.Equal(new[] { 60L }, r.ReferenceOnlySteps);
            Assert.Equal(new[] { 300L }, r.DifferenceOnlySteps);

            UpdateMany(b, Now, P(Now - 600, 99));
            r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now }, diffs.Add);
            Assert.Equal(1, r.Archives[0].ValueDifferences);
            Assert.Equal(Now / 10 * 10 - 600, Assert.Single(diffs).Timestamp);
        }

        [Fact]
        public void IgnoreEmptyAndRangeLimitWhatIsCompared()
        {
            string a = Create(_dir.File("a.wsp"), A(60, 100));
            string b = Create(_dir.File("b.wsp"), A(60, 100));
            long t0 = Now / 60 * 60;
            UpdateMany(a, Now, P(t0 - 600, 1), P(t0 - 1200, 2), P(t0 - 1800, 3));
            UpdateMany(b, Now, P(t0 - 600, 1), P(t0 - 1200, 5));
            var r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now });
            Assert.Equal((3, 1, 1, 0), (r.Archives[0].Compared, r.Archives[0].ValueDifferences, r.Archives[0].OnlyInReference, r.Archives[0].OnlyInDifference));
            r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now, IgnoreEmpty = true });
            Assert.Equal((2, 1, 0), (r.Archives[0].Compared, r.Archives[0].ValueDifferences, r.Archives[0].OnlyInReference));
            r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now, From = t0 - 1500 });
            Assert.Equal((2, 1, 0), (r.Archives[0].Compared, r.Archives[0].ValueDifferences, r.Archives[0].OnlyInReference));
            r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now, From = t0 - 1000, Until = t0 - 700 });
            Assert.Equal(0, r.Archives[0].Compared);
            Assert.True(r.Identical);
            r = WhisperComparer.Compare(a, b, new ComparisonOptions { Now = Now, From = t0 - 100, Until = t0 - 200 });
            Assert.Empty(r.Archives);
        }
    }
}
