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
            Gap(first + 200, 1);           // single
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
