using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
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
    /// FillGaps on files a real carbon-cache (WHISPER_LOCK_WRITES = True) is writing ~1,000 countable points a
    /// second into, for a ~1 MB and a ~31 MB file: every point carbon was sent is on disk afterwards, with its own
    /// value, although the replica has a (different) value for each of those slots; and the fill did its work.
    /// </summary>
    [Trait(Needs.Trait, Needs.Carbon)]
    [Collection("processes")]
    public sealed class FillCarbonTests : IDisposable
    {
        private readonly ITestOutputHelper _out;
        private readonly TempDir _scratch = new TempDir();

        public FillCarbonTests(ITestOutputHelper output)
        {
            _out = output;
        }

        public void Dispose() => _scratch.Dispose();

        private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);

        [Fact]
        public void CarbonLosesNoPointWhileFilesAreRepaired()
        {
            using (var carbon = new CarbonCache(_scratch.Path))
            {
                carbon.Start(TimeSpan.FromSeconds(90));
                Assert.True(carbon.WaitForLog("Enabling Whisper file locking", TimeSpan.FromSeconds(30)),
                    "carbon-cache never logged 'Enabling Whisper file locking':\n" + carbon.Log);
                string dir = Path.Combine(carbon.DataDir, "reliability");
                Directory.CreateDirectory(dir);
                RepairUnderLiveWrites(carbon, dir, "fill1mb", new[] { new ArchiveSpec(1, 86400), new ArchiveSpec(60, 10080) });
                RepairUnderLiveWrites(carbon, dir, "fill31mb", new[] { new ArchiveSpec(1, 30 * 86400), new ArchiveSpec(60, 60 * 1440) });
            }
        }

        private void RepairUnderLiveWrites(CarbonCache carbon, string dir, string name, ArchiveSpec[] layout)
        {
            const int Rate = 1000, Seconds = 8, Sent = Rate * Seconds;
            string target = Path.Combine(dir, name + ".wsp");
            string replica = Path.Combine(_scratch.Path, name + "-replica.wsp");
            WhisperFile.Create(target, layout, 0, AggregationMethod.Average);
            WhisperFile.Create(replica, layout, 0, AggregationMethod.Average);
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            long t0 = now - 6 * 3600, t1 = now - 600;
            long c0 = t0 + 3600; // carbon's slots: [c0, c0 + Sent), empty in the target, -1 in the replica
            bool Carbons(long t) => t >= c0 && t < c0 + Sent;
            using (var f = WhisperFile.Open(replica, FileOpenMode.ReadWrite))
                f.UpdateMany(Enumerable.Range(0, (int)(t1 - t0)).Select(i => new Point(t0 + i, -1)).ToList(), now);
            using (var f = WhisperFile.Open(target, FileOpenMode.ReadWrite))
                f.UpdateMany(Enumerable.Range(0, (int)(t1 - t0)).Select(i => t0 + i).Where(t => !Carbons(t) && t % 10 != 3)
                    .Select(t => new Point(t, 7)).ToList(), now);
            _out.WriteLine(name + ": " + new FileInfo(target).Length + " bytes");

            // carbon's points arrive at ~Rate a second while the file is repaired again and again.
            var lines = Enumerable.Range(0, Sent).Select(i => c0 + i).Select(ts => "reliability." + name + " " + Inv(ts) + ".5 " + Inv(ts)).ToList();
            Exception senderError = null;
            var sender = new Thread(() =>
            {
                try
                {
                    var sw = Stopwatch.StartNew();
                    for (int c = 0; c < Sent; c += Rate / 20)
                    {
                        carbon.Send(lines.Skip(c).Take(Rate / 20));
                        long due = (c + Rate / 20) * 1000L / Rate;
                        long wait = due - sw.ElapsedMilliseconds;
                        if (wait > 0) Thread.Sleep((int)wait);
                    }
                }
                catch (Exception e) { senderError = e; }
            }) { IsBackground = true };
            sender.Start();
            Thread.Sleep(500);
            int runs = 0;
            long filled = 0;
            double longest = 0, longestWrites = 0;
            while (sender.IsAlive)
            {
                var sw = Stopwatch.StartNew();
                double writesFrom = 0;
                var r = WhisperFile.FillGaps(target, new[] { replica }, now: DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    progress: (done, total) => { if (done == 0) writesFrom = sw.Elapsed.TotalMilliseconds; });
                double ms = sw.Elapsed.TotalMilliseconds;
                longest = Math.Max(longest, ms);
                longestWrites = Math.Max(longestWrites, ms - writesFrom);
                filled += r.Filled;
                runs++;
            }
            sender.Join();
            Assert.True(senderError == null, "sending to carbon failed: " + senderError);
            Assert.True(runs >= 2, "the file was repaired only " + runs + " time(s) while carbon wrote");

            // Wait (bounded) for carbon to write everything it was sent.
            var wait = Stopwatch.StartNew();
            int present;
            while (true)
            {
                present = CarbonPoints(target, c0, Sent);
                if (present == Sent || wait.Elapsed > TimeSpan.FromSeconds(120)) break;
                Assert.True(carbon.IsRunning, "carbon-cache died:\n" + carbon.Log);
                Thread.Sleep(250);
            }
            _out.WriteLine(name + ": " + runs + " repairs during " + Seconds + " s of carbon writes (" + filled + " slots filled in all; longest repair " +
                longest.ToString("F0", CultureInfo.InvariantCulture) + " ms, of which writes " + longestWrites.ToString("F0", CultureInfo.InvariantCulture) +
                " ms); carbon's points present: " + present + " of " + Sent + ", lost " + (Sent - present));
            Assert.Equal(Sent, present);

            // The fill did its job outside carbon's slots: every tenth slot from the replica, the rest untouched.
            using (var f = WhisperFile.Open(target))
            {
                var r = f.Fetch(t0, t1 - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1);
                int wrong = 0;
                for (int i = 0; i < r.Count; i++)
                {
                    long t = r.TimestampAt(i);
                    if (Carbons(t) || t < t0 || t >= t1) continue;
                    double want = t % 10 == 3 ? -1 : 7;
                    if (r[i] != want) wrong++;
                }
                Assert.Equal(0, wrong);
            }
        }

        private static int CarbonPoints(string path, long c0, int count)
        {
            using (var f = WhisperFile.Open(path))
            {
                var r = f.Fetch(c0 - 1, c0 + count - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1);
                Assert.Equal(c0, r.FromInterval);
                int n = 0;
                for (int i = 0; i < r.Count && i < count; i++)
                    if (r[i] == r.TimestampAt(i) + 0.5) n++;
                return n;
            }
        }
    }
}
