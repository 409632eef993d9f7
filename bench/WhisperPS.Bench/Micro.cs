using System;
using System.Diagnostics;
using System.IO;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Bench
{
    /// <summary>Quick per-call timings of engine pieces, for profiling while optimising (WhisperPS.Bench micro).</summary>
    internal static class Micro
    {
        public static void Run(string work)
        {
            if (Environment.GetEnvironmentVariable("MICRO_REALTIME") != null) { Realtime(work); return; }
            if (Environment.GetEnvironmentVariable("MICRO_CREATE") != null) { Create(work); return; }
            bool fetchOnly = Environment.GetEnvironmentVariable("MICRO_FETCH") != null;
            Directory.CreateDirectory(work);
            long now = Clock.UnixNow();
            string full = Path.Combine(work, "full.wsp");
            if (File.Exists(full)) File.Delete(full);
            WhisperFile.Create(full, Workloads.Specs, 0.5, AggregationMethod.Average);
            using (var f = WhisperFile.Open(full, FileOpenMode.ReadWrite))
                foreach (var (spp, points) in new (long, int)[] { (600, 52560), (60, 10080), (10, 8640) })
                    f.UpdateMany(Workloads.Series(now - (points - 1) * spp, spp, points), now);

            if (fetchOnly)
            {
                // Only open+fetch+close, for profilers.
                Time("open+fetch 1d", 200000, () => { using (var f = WhisperFile.Open(full)) f.Fetch(now - 86400, now, now); });
                File.Delete(full);
                return;
            }
            object sink = null;
            Time("alloc double?[8640]", 2000, () => sink = new double?[8640]);
            Time("alloc double?[52560]", 500, () => sink = new double?[52560]);
            Time("alloc double[52560]", 500, () => sink = new double[52560]);
            GC.KeepAlive(sink);
            Time("open+close (read)", 2000, () => { using (WhisperFile.Open(full)) { } });
            Time("open+close (write)", 2000, () => { using (WhisperFile.Open(full, FileOpenMode.ReadWrite)) { } });
            using (var f = WhisperFile.Open(full))
            {
                Time("fetch 1d (open file)", 2000, () => f.Fetch(now - 86400, now, now));
                Time("fetch 1y (open file)", 500, () => f.Fetch(now - 365 * 86400L, now, now));
            }
            Time("open+fetch 1d", 2000, () => { using (var f = WhisperFile.Open(full)) f.Fetch(now - 86400, now, now); });
            string upd = Path.Combine(work, "u.wsp");
            File.Copy(full, upd, true);
            long t = now;
            Time("open+update+close", 5000, () => { t += 10; using (var f = WhisperFile.Open(upd, FileOpenMode.ReadWrite)) f.Update(1.5, t, t); });
            using (var f = WhisperFile.Open(upd, FileOpenMode.ReadWrite))
                Time("update (open file)", 5000, () => { t += 10; f.Update(1.5, t, t); });
            var batch = Workloads.Series(now - 999 * 10, 10, 1000);
            using (var f = WhisperFile.Open(upd, FileOpenMode.ReadWrite))
                Time("update_many 1000 (open file)", 200, () => f.UpdateMany(batch, t));
            File.Delete(upd);
            File.Delete(full);
        }

        private static void Create(string work)
        {
            Directory.CreateDirectory(work);
            int k = 0;
            foreach (var (name, options) in new[] { ("zero", new CreateOptions()), ("sparse", new CreateOptions { Sparse = true }), ("prealloc", new CreateOptions { Preallocate = true }) })
            {
                Time("create " + name, 300, () => WhisperFile.Create(Path.Combine(work, "c" + k++ + ".wsp"), Workloads.Specs, 0.5, AggregationMethod.Average, options));
                foreach (var f in Directory.GetFiles(work, "c*.wsp")) File.Delete(f);
            }
        }

        // Only the open+update+close loop, for profilers.
        private static void Realtime(string work)
        {
            Directory.CreateDirectory(work);
            string path = Path.Combine(work, "rt.wsp");
            if (File.Exists(path)) File.Delete(path);
            WhisperFile.Create(path, Workloads.Specs, 0.5, AggregationMethod.Average);
            long t = Clock.UnixNow() - 86400 * 300;
            Time("open+update+close", 200000, () => { t += 10; using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) f.Update(1.5, t, t); });
            File.Delete(path);
        }

        private static void Time(string what, int n, Action a)
        {
            for (int i = 0; i < Math.Min(n, 100); i++) a();
            long alloc = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) a();
            double us = sw.Elapsed.TotalMilliseconds * 1000 / n;
            long bytes = (GC.GetAllocatedBytesForCurrentThread() - alloc) / n;
            Console.WriteLine("{0,-32} {1,10:F2} us/op {2,12:N0} B/op", what, us, bytes);
        }
    }
}
