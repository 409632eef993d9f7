using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// A process filling a damaged file is SIGKILLed at random moments of the fill. Afterwards every slot whisper
    /// shows holds either what it held before or what the complete fill puts there (never a torn or foreign
    /// value), the header is untouched, and running the fill again gives exactly the bytes of an uninterrupted
    /// fill, rollups included. The seed is printed (WHISPERPS_KILL_SEED replays it).
    /// </summary>
    [Collection("processes")]
    public sealed class FillKillTests : IDisposable
    {
        private const long Now = 1_600_000_200; // a multiple of 600
        private static readonly ArchiveSpec[] Layout = { A(1, 21600), A(60, 1440), A(600, 1008) };
        private readonly ITestOutputHelper _out;
        private readonly TempDir _dir = new TempDir();
        private readonly int _seed;
        private readonly Random _rng;

        public FillKillTests(ITestOutputHelper output)
        {
            _out = output;
            _seed = Environment.GetEnvironmentVariable("WHISPERPS_KILL_SEED") is string s
                ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("WHISPERPS_KILL_SEED=" + _seed);
            _rng = new Random(_seed);
        }

        public void Dispose() => _dir.Dispose();

        private static Dictionary<long, double>[] Visible(string path)
        {
            var header = WhisperFile.ReadHeader(path);
            var result = new Dictionary<long, double>[header.Archives.Count];
            for (int k = 0; k < result.Length; k++)
                result[k] = new Dictionary<long, double>(FillTests.Known(path, header.Archives[k].SecondsPerPoint, Now));
            return result;
        }

        [Fact]
        public void KilledDuringFillLeavesEverySlotOldOrFilled_AndARerunCompletesIt()
        {
            string src = Create(_dir.File("src.wsp"), 0.5, AggregationMethod.Sum, Layout);
            string template = Create(_dir.File("template.wsp"), 0.5, AggregationMethod.Sum, Layout);
            const int Span = 21600;
            UpdateMany(src, Now, Enumerable.Range(0, Span - 1).Select(i => P(Now - i, i % 97)));
            // The damaged file: its own values (different from the source's) with a single empty slot every 400,
            // and a 20-minute hole, so the fill is dozens of separate writes (each pair with an fsync between its
            // passes) plus recomputed rollups. The single gaps are further apart than a page (341 slots), which the
            // write-back would otherwise bridge into one write.
            UpdateMany(template, Now, Enumerable.Range(0, Span - 1)
                .Where(i => i % 400 != 7 && !(i >= 9000 && i < 10200)).Select(i => P(Now - i, 1000 + i % 13)));

            string reference = _dir.File("reference.wsp");
            File.Copy(template, reference);
            var sw = Stopwatch.StartNew();
            long writesStarted = 0;
            var full = WhisperFile.FillGaps(reference, new[] { src }, now: Now, flush: true,
                progress: (done, total) => { if (done == 0) writesStarted = sw.ElapsedTicks; });
            double fillMs = (sw.ElapsedTicks - writesStarted) * 1000.0 / Stopwatch.Frequency;
            var finalBytes = File.ReadAllBytes(reference);
            var templateBytes = File.ReadAllBytes(template);
            var before = Visible(template);
            var after = Visible(reference);
            _out.WriteLine("uninterrupted fill: " + full.Filled + " slots filled, " + full.Recomputed + " rollups recomputed, " +
                fillMs.ToString("F1", CultureInfo.InvariantCulture) + " ms of writes with fsyncs in-process");
            Assert.True(full.Archives[0].FromSources > 1000 && full.Recomputed > 50);

            string target = _dir.File("target.wsp");
            int headerSize = WhisperHeader.HeaderSize(Layout.Length);
            int Kills = KillCount.Of(50);
            int midFill = 0, beforeFill = 0, afterFill = 0, hiddenStraddling = 0;
            for (int k = 0; k < Kills; k++)
            {
                File.Copy(template, target, true);
                int delay = _rng.Next(Math.Max(5, (int)(fillMs * 1.2)));
                string ctx = "kill " + k + " after " + delay + " ms (seed " + _seed + ")";
                using (var victim = StressProcess.Start(new[] { "fill-once", target, Now.ToString(CultureInfo.InvariantCulture), src }))
                {
                    Assert.True(victim.WaitReady(TimeSpan.FromSeconds(60)), "victim never got ready: " + victim.Stdout + victim.Stderr);
                    System.Threading.Thread.Sleep(delay);
                    victim.Kill();
                    Assert.True(victim.Stderr.Length == 0, ctx + ": " + victim.Stderr);
                }
                var bytes = File.ReadAllBytes(target);
                Assert.Equal(templateBytes.Length, bytes.Length);
                Assert.True(templateBytes.Take(headerSize).SequenceEqual(bytes.Take(headerSize)), ctx + ": the header changed");
                var now = Visible(target);
                int old = 0, filled = 0;
                for (int a = 0; a < now.Length; a++)
                {
                    var intervals = new HashSet<long>(before[a].Keys.Concat(after[a].Keys).Concat(now[a].Keys));
                    foreach (long t in intervals)
                    {
                        bool has = now[a].TryGetValue(t, out double v);
                        bool wasThere = before[a].TryGetValue(t, out double b);
                        bool willBe = after[a].TryGetValue(t, out double f);
                        bool isOld = has == wasThere && (!has || Bits(v) == Bits(b));
                        bool isNew = has == willBe && (!has || Bits(v) == Bits(f));
                        // The one documented exception: a replaced rollup whose 8-byte value straddles a 4 KB page is
                        // hidden between the two passes (a kill there could otherwise tear it); a rerun fills it.
                        if (!has && wasThere && willBe && !isOld && !isNew && StraddlesPage(templateBytes, template, a, t)) { hiddenStraddling++; continue; }
                        Assert.True(isOld || isNew, ctx + ": archive " + a + " slot " + t + " shows " + (has ? v.ToString("R", CultureInfo.InvariantCulture) : "nothing") +
                            ", neither its old " + (wasThere ? b.ToString("R", CultureInfo.InvariantCulture) : "nothing") + " nor its filled " + (willBe ? f.ToString("R", CultureInfo.InvariantCulture) : "nothing"));
                        if (!isOld) filled++;
                        else if (!isNew) old++;
                    }
                }
                if (filled == 0) beforeFill++;
                else if (old == 0) afterFill++;
                else midFill++;
                // Running it again finishes the job: the same bytes as a fill never interrupted.
                WhisperFile.FillGaps(target, new[] { src }, now: Now);
                Assert.True(finalBytes.SequenceEqual(File.ReadAllBytes(target)), ctx + ": the rerun did not give the uninterrupted fill's bytes");
            }
            _out.WriteLine(Kills + " kills: " + beforeFill + " before any slot changed, " + midFill + " part-way through the writes, " + afterFill + " after the last; " +
                hiddenStraddling + " page-straddling rollup slot(s) seen hidden between passes");
            Assert.True(midFill >= Math.Max(1, 3 * Kills / 50), "only " + midFill + " of " + Kills + " kills landed inside the fill's writes (seed " + _seed + ")");
        }

        private static long Bits(double v) => BitConverter.DoubleToInt64Bits(v);

        // Whether the slot holding interval t of archive a has its value bytes across a 4 KB boundary (the ring is
        // anchored by slot 0's timestamp, as whisper reads it).
        private static bool StraddlesPage(byte[] file, string path, int a, long t)
        {
            var header = WhisperFile.ReadHeader(path);
            var info = header.Archives[a];
            long baseInterval = BigEndian.ReadUInt32(file, (int)info.Offset);
            long position = ((t - baseInterval) / info.SecondsPerPoint % info.Points + info.Points) % info.Points;
            long offset = info.Offset + position * 12;
            return (offset + 4) / 4096 != (offset + 11) / 4096;
        }
    }
}
