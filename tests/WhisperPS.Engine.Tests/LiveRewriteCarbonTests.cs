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
    /// Resize and Clear of a file a real carbon-cache (WHISPER_LOCK_WRITES = True) is writing ~1,000 countable points a
    /// second into: every point has its own second and value ts + 0.5, so afterwards each one sent is either in the file
    /// or counted as lost. The rewrites run back to back for as long as points arrive: resize to one more archive and
    /// back (archive 0 unchanged, so every point must survive both), and clear a chunk of older filler data.
    /// WHISPERPS_LIVE_TOOL=whisper-resize runs python's whisper-resize in the same harness instead (for comparison
    /// numbers only; the assertion of no loss applies to WhisperPS).
    /// </summary>
    [Trait(Needs.Trait, Needs.Carbon)]
    [Collection("processes")]
    public sealed class LiveRewriteCarbonTests : IDisposable
    {
        private readonly ITestOutputHelper _out;
        private readonly TempDir _scratch = new TempDir();

        public LiveRewriteCarbonTests(ITestOutputHelper output) => _out = output;

        public void Dispose() => _scratch.Dispose();

        private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);

        [Theory]
        [InlineData("1s:1d", "1m:7d", 12)]     // 1.0 MB
        [InlineData("1s:30d", "1m:90d", 20)]   // 31 MB
        public void NoPointCarbonWritesDuringResizeAndClearIsLost(string fine, string extra, int seconds)
        {
            string tool = Environment.GetEnvironmentVariable("WHISPERPS_LIVE_TOOL") ?? "whisperps";
            using (var carbon = new CarbonCache(_scratch.Path))
            {
                carbon.Start(TimeSpan.FromSeconds(90));
                Assert.True(carbon.WaitForLog("Enabling Whisper file locking", TimeSpan.FromSeconds(30)), carbon.Log);
                string dir = Path.Combine(carbon.DataDir, "live");
                Directory.CreateDirectory(dir);
                string path = Path.Combine(dir, "target.wsp");
                var small = Retention.ParseList(new[] { fine });
                var large = Retention.ParseList(new[] { fine, extra });
                WhisperFile.Create(path, small, 0, AggregationMethod.Average);
                long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                long t0 = now - 12 * 3600;
                const long Filler = 3 * 3600;
                using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                    f.UpdateMany(Enumerable.Range(1, (int)Filler).Select(i => new Point(t0 - i, 1.0)), now);
                _out.WriteLine(tool + ": " + fine + " file of " + new FileInfo(path).Length + " bytes, carbon on 127.0.0.1:" + carbon.LinePort);

                int total = seconds * 1000;
                var sent = 0;
                var sender = new Thread(() =>
                {
                    var clock = Stopwatch.StartNew();
                    for (int c = 0; c < total; c += 100)
                    {
                        carbon.Send(Enumerable.Range(c, 100).Select(i => "live.target " + Inv(t0 + i) + ".5 " + Inv(t0 + i)));
                        Volatile.Write(ref sent, c + 100);
                        long due = (c + 100) * 1L; // ms at 1,000 points a second
                        long wait = due - clock.ElapsedMilliseconds;
                        if (wait > 0) Thread.Sleep((int)wait);
                    }
                }) { IsBackground = true };

                var stalls = new List<double>();
                int resizes = 0, clears = 0, k = 0;
                // Every other rewrite without fsync, keeping one journal as Resize-WhisperFile -NoFlush does.
                var reuse = new JournalReuse();
                RewriteOptions Options() => k % 2 == 0 ? null : new RewriteOptions { Durable = false, ReuseJournal = reuse };
                sender.Start();
                while (Volatile.Read(ref sent) < 500) Thread.Sleep(10); // carbon is writing
                var run = Stopwatch.StartNew();
                while (sender.IsAlive)
                {
                    switch (k++ % 3)
                    {
                        case 0:
                        case 1:
                            var to = k % 3 == 1 ? large : small;
                            if (tool == "whisper-resize")
                                CarbonCache.Run("/usr/bin/python3", new[] { "/usr/bin/whisper-resize", path }
                                    .Concat(to.Select(a => a.ToString())).Concat(new[] { "--nobackup" }).ToArray());
                            else
                                stalls.Add(WhisperFile.Resize(path, to, options: Options()).LockHeld.TotalMilliseconds);
                            resizes++;
                            break;
                        default:
                            if (tool == "whisper-resize") break;
                            long from = t0 - Filler + (clears % 18) * 600;
                            stalls.Add(WhisperFile.Clear(path, from, from + 599, options: Options()).LockHeld.TotalMilliseconds);
                            clears++;
                            break;
                    }
                }
                double during = run.Elapsed.TotalSeconds;
                sender.Join();
                reuse.Dispose();

                // Wait (bounded) until carbon has written everything it received.
                var wait = Stopwatch.StartNew();
                int present;
                while (true)
                {
                    present = Present(path, t0, total);
                    if (present == total || wait.Elapsed > TimeSpan.FromSeconds(60)) break;
                    Assert.True(carbon.IsRunning, "carbon-cache died:\n" + carbon.Log);
                    Thread.Sleep(250);
                }
                int lost = total - present;
                _out.WriteLine(tool + ", " + fine + " (" + new FileInfo(path).Length + " bytes): " + total + " points sent at ~1,000/s over " +
                    during.ToString("0.0", CultureInfo.InvariantCulture) + " s while " + resizes + " resizes and " + clears + " clears ran; " +
                    lost + " lost (" + (100.0 * lost / total).ToString("0.00", CultureInfo.InvariantCulture) + " %)" +
                    (stalls.Count > 0 ? "; lock held per rewrite: median " + stalls.OrderBy(s => s).ElementAt(stalls.Count / 2).ToString("0", CultureInfo.InvariantCulture) +
                        " ms, longest " + stalls.Max().ToString("0", CultureInfo.InvariantCulture) + " ms" : ""));
                Assert.True(resizes >= 2, "fewer than two resizes ran while carbon was writing: the test proves nothing");
                Assert.False(File.Exists(path + ".journal"));
                if (tool == "whisperps") Assert.True(lost == 0, lost + " of " + total + " points carbon wrote during the rewrites are missing");
            }
        }

        /// <summary>How many of the points t0 .. t0 + count - 1 hold their own value ts + 0.5 in archive 0.</summary>
        private static int Present(string path, long t0, int count)
        {
            using (var f = WhisperFile.Open(path))
            {
                var r = f.Fetch(t0 - 1, t0 + count - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1);
                int n = 0;
                for (int i = 0; i < r.Values.Length; i++)
                    if (r.Values[i] == r.TimestampAt(i) + 0.5) n++;
                return n;
            }
        }
    }
}
