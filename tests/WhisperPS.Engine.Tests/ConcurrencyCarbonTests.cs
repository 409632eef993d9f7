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
    /// Four WhisperPS writer processes, a real carbon-cache (WHISPER_LOCK_WRITES = True) and two readers on one
    /// file at once: afterwards every point is present, every minute's rollup saw all of its 60 points (a lost
    /// read-modify-write in propagation would show), and no reader ever saw a torn point.
    /// </summary>
    [Trait(Needs.Trait, Needs.Carbon)]
    [Collection("processes")]
    public sealed class ConcurrencyCarbonTests : IDisposable
    {
        private const int Writers = 4;
        private const int PerOwner = 4000;         // points per writer and for carbon
        private const int Owners = Writers + 1;    // owner of ts = T0 + j is j % 5; owner 4 is carbon
        private const int Total = PerOwner * Owners;

        private readonly ITestOutputHelper _out;
        private readonly TempDir _scratch = new TempDir();
        private readonly string _root;

        public ConcurrencyCarbonTests(ITestOutputHelper output)
        {
            _out = output;
            _root = _scratch.Path;
        }

        public void Dispose() => _scratch.Dispose();

        private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);

        [Fact]
        public void FourWriterProcessesAndCarbonLoseNoPointAndReadersSeeNoTornPoint()
        {
            var total = Stopwatch.StartNew();
            using (var carbon = new CarbonCache(_root))
            {
                carbon.Start(TimeSpan.FromSeconds(90));
                _out.WriteLine("carbon-cache listening on 127.0.0.1:" + carbon.LinePort + " after " + total.ElapsedMilliseconds + " ms");
                // WHISPER_LOCK_WRITES took effect
                Assert.True(carbon.WaitForLog("Enabling Whisper file locking", TimeSpan.FromSeconds(30)),
                    "carbon-cache never logged 'Enabling Whisper file locking':\n" + carbon.Log);

                string dir = Path.Combine(carbon.DataDir, "reliability");
                Directory.CreateDirectory(dir);
                string path = Path.Combine(dir, "shared.wsp");
                WhisperFile.Create(path, new[] { new ArchiveSpec(1, 86400), new ArchiveSpec(60, 10080) }, 0, AggregationMethod.Average);

                long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                long t0 = (now - 8 * 3600) / 60 * 60; // Total seconds fit in archive 0 with hours to spare
                long startAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3000;
                var env = new Dictionary<string, string> { ["STRESS_START_AT_MS"] = Inv(startAt) };
                string[] modes = { "many", "single", "mixed", "many" };
                int seed = Environment.TickCount & 0x7FFFFFFF;
                _out.WriteLine("t0 " + t0 + ", batch seed " + seed);

                var writers = new List<StressProcess>();
                StressProcess reader = null;
                bool stopReading = false;
                long inProcessReads = 0, inProcessValues = 0;
                string torn = null;
                var readerThread = new Thread(() =>
                {
                    try
                    {
                    while (!Volatile.Read(ref stopReading))
                    {
                        using (var f = WhisperFile.Open(path))
                        {
                            long n = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                            var r = f.Fetch(t0, t0 + Total, n, 1);
                            for (int i = 0; i < r.Values.Length; i++)
                            {
                                if (!r.Values[i].HasValue) continue;
                                inProcessValues++;
                                if (r.Values[i].Value != r.TimestampAt(i) + 0.5)
                                    torn = torn ?? "ts " + r.TimestampAt(i) + " value " + r.Values[i].Value.ToString("R", CultureInfo.InvariantCulture);
                            }
                        }
                        inProcessReads++;
                    }
                    }
                    catch (Exception e)
                    {
                        torn = "reader failed: " + e; // reported by the assertion below, not as a crashed test host
                    }
                }) { IsBackground = true };

                try
                {
                    for (int k = 0; k < Writers; k++)
                        writers.Add(StressProcess.Start(new[] { "write", path, Inv(t0 + k), Inv(PerOwner), Inv(Owners), "100", Inv(seed + k), modes[k] }, null, env));
                    reader = StressProcess.Start(new[] { "read-check", path, "12000" });
                    readerThread.Start();

                    // Carbon's share arrives in chunks while the writers run.
                    while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < startAt) Thread.Sleep(20);
                    var lines = Enumerable.Range(0, PerOwner).Select(i => t0 + (long)i * Owners + Writers)
                        .Select(ts => "reliability.shared " + Inv(ts) + ".5 " + Inv(ts)).ToList();
                    for (int c = 0; c < lines.Count; c += 200)
                    {
                        carbon.Send(lines.Skip(c).Take(200));
                        Thread.Sleep(25);
                    }

                    var spans = new List<(long Start, long End)>();
                    foreach (var w in writers)
                    {
                        int? code = w.WaitExit(TimeSpan.FromSeconds(180));
                        Assert.True(code == 0, "writer failed (" + code + "): " + w.Stderr);
                        var span = w.Stdout.Split('\n').First(l => l.StartsWith("span ")).Split(' ');
                        spans.Add((long.Parse(span[1]), long.Parse(span[2])));
                    }
                    _out.WriteLine("writer spans (ms after the common start): " +
                        string.Join(", ", spans.Select(s => (s.Start - startAt) + ".." + (s.End - startAt))));
                    // The writers must really have run at the same time, or this proves nothing about concurrency.
                    long overlapStart = spans.Max(s => s.Start), overlapEnd = spans.Min(s => s.End);
                    Assert.True(overlapEnd > overlapStart, "the four writers never ran at the same time");

                    // Wait (bounded) for carbon to write all of its points.
                    var wait = Stopwatch.StartNew();
                    int carbonPresent = 0;
                    while (true)
                    {
                        carbonPresent = Present(path, t0).Count(j => j % Owners == Writers);
                        if (carbonPresent == PerOwner || wait.Elapsed > TimeSpan.FromSeconds(90)) break;
                        Assert.True(carbon.IsRunning, "carbon-cache died:\n" + carbon.Log);
                        Thread.Sleep(200);
                    }
                    _out.WriteLine("carbon's " + carbonPresent + " points on disk " + wait.ElapsedMilliseconds + " ms after the writers finished");

                    int? readerCode = reader.WaitExit(TimeSpan.FromSeconds(60));
                    _out.WriteLine("reader process: " + reader.Stdout.Trim().Replace("\n", " ") + " " + reader.Stderr.Trim());
                    Assert.True(readerCode == 0, "the reader process saw a torn point or failed (" + readerCode + "): " + reader.Stdout + reader.Stderr);
                }
                finally
                {
                    Volatile.Write(ref stopReading, true);
                    if (readerThread.IsAlive) readerThread.Join(30000);
                    foreach (var w in writers) w.Dispose();
                    reader?.Dispose();
                }
                _out.WriteLine("in-process reader: " + inProcessReads + " fetches, " + inProcessValues + " values checked");
                Assert.True(torn == null, "the in-process reader saw a torn point: " + torn);
                Assert.True(inProcessReads > 0);

                var present = Present(path, t0);
                var missing = Enumerable.Range(0, Total).Except(present).ToList();
                Assert.True(missing.Count == 0, missing.Count + " of " + Total + " points lost, e.g. owners " +
                    string.Join(",", missing.Take(20).Select(j => j % Owners)) + " at offsets " + string.Join(",", missing.Take(20)));

                // Each minute's rollup was last written by whoever wrote its last point, which then saw all 60.
                using (var f = WhisperFile.Open(path))
                {
                    var r = f.Fetch(t0 - 60, t0 + Total - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 60);
                    Assert.Equal(t0, r.FromInterval);
                    var wrong = new List<string>();
                    for (int i = 0; i < Total / 60; i++)
                        if (r.Values[i] != r.TimestampAt(i) + 30) wrong.Add(r.TimestampAt(i) + "=" + r.Values[i]);
                    Assert.True(wrong.Count == 0, wrong.Count + " minutes with a stale rollup: " + string.Join(", ", wrong.Take(10)));
                }
                _out.WriteLine(Total + " points from " + Writers + " processes and carbon-cache all present; " + Total / 60 +
                    " minute rollups exact; " + total.ElapsedMilliseconds + " ms in all");
            }
        }

        /// <summary>Offsets j (ts = t0 + j) whose slot holds exactly the point written for it.</summary>
        private static HashSet<int> Present(string path, long t0)
        {
            var set = new HashSet<int>();
            using (var f = WhisperFile.Open(path))
            {
                var r = f.Fetch(t0 - 1, t0 + Total - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1);
                Assert.Equal(t0, r.FromInterval);
                for (int i = 0; i < r.Values.Length && i < Total; i++)
                    if (r.Values[i] == r.TimestampAt(i) + 0.5) set.Add(i);
            }
            return set;
        }
    }
}
