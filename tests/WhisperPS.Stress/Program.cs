using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Stress
{
    /// <summary>
    /// Modes (all numbers invariant):
    ///   write PATH FIRST COUNT STRIDE MAXBATCH SEED single|many|mixed
    ///       writes ts = FIRST + i*STRIDE (value ts + 0.5), reopening the file for every batch so locks interleave;
    ///       FIRST &lt;= 0 means now + FIRST.
    ///   batch-loop PATH BASE RING STEP       generation g writes one UpdateMany of every slot of archive 0 with
    ///       ts = BASE + g*RING + i*STEP, now = the newest of them; forever, until killed.
    ///   merge-loop DST SRC:NOW [SRC:NOW...]  merges the sources into DST in turn, forever.
    ///   setagg-loop PATH                     cycles SetAggregation through every method and a few xFilesFactors.
    ///   create-loop PATH                     re-creates PATH with Overwrite, alternating two layouts.
    ///   rewrite-loop OP NOW FILE...          rewrites each file once through the engine's journal (OP: resize, or resize-reuse keeping one journal, to
    ///       1m:1d,1h:30d; clear NOW-5000..NOW-2000; create = create -Force as 10s:1d,1m:7d), then waits to be killed.
    ///   read-check PATH MILLISECONDS         fetches archive 0 repeatedly; exit 3 on a slot whose value is not ts + 0.5.
    ///   hold PATH HOW RELEASE                keeps PATH open until the file RELEASE exists (at most 2 minutes, then
    ///       exit 4). HOW: read / write open it as WhisperFile does (shared / exclusive lock); share-read,
    ///       share-readwrite, share-none open it with only a FileStream and that FileShare, as other programs do.
    ///   fill-once PATH NOW SRC [SRC...]      fills PATH's gaps from the sources once with fsyncs between passes,
    ///       printing "ready" as the writes begin and "filled" at the end, then waits to be killed.
    /// Every mode prints "ready" once it has done its first operation, so the parent can time its kill.
    /// </summary>
    public static class Program
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static int Main(string[] args)
        {
            try
            {
                switch (args[0])
                {
                    case "write": return Write(args[1], L(args[2]), L(args[3]), L(args[4]), (int)L(args[5]), (int)L(args[6]), args[7]);
                    case "batch-loop": return BatchLoop(args[1], L(args[2]), L(args[3]), L(args[4]));
                    case "merge-loop": return MergeLoop(args[1], args, 2);
                    case "setagg-loop": return SetAggLoop(args[1]);
                    case "create-loop": return CreateLoop(args[1]);
                    case "read-check": return ReadCheck(args[1], L(args[2]));
                    case "rewrite-loop": return RewriteLoop(args[1], L(args[2]), args, 3);
                    case "hold": return Hold(args[1], args[2], args[3]);
                    case "fill-once": return FillOnce(args[1], L(args[2]), args, 3);
                    default: Console.Error.WriteLine("unknown mode " + args[0]); return 2;
                }
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(e.GetType().FullName + ": " + e.Message);
                return 1;
            }
        }

        private static long L(string s) => long.Parse(s, Inv);

        /// <summary>The rewrite every kill test applies, by name; the test computes the expected result with the same call.</summary>
        // One kept journal for a whole rewrite-loop of "resize-reuse", as Resize-WhisperFile -NoFlush keeps one.
        private static readonly JournalReuse Journals = new JournalReuse();

        public static void Rewrite(string op, string path, long now)
        {
            switch (op)
            {
                case "resize":
                    WhisperFile.Resize(path, new[] { new ArchiveSpec(60, 1440), new ArchiveSpec(3600, 720) }, now: now);
                    break;
                case "resize-reuse":
                    WhisperFile.Resize(path, new[] { new ArchiveSpec(60, 1440), new ArchiveSpec(3600, 720) }, now: now,
                        options: new RewriteOptions { Durable = false, ReuseJournal = Journals });
                    break;
                case "clear":
                    WhisperFile.Clear(path, now - 5000, now - 2000, now);
                    break;
                case "create":
                    WhisperFile.Create(path, new[] { new ArchiveSpec(10, 8640), new ArchiveSpec(60, 10080) }, 0.5, AggregationMethod.Average,
                        new CreateOptions { Overwrite = true, Flush = true });
                    break;
                default:
                    throw new ArgumentException("unknown rewrite " + op);
            }
        }

        private static int RewriteLoop(string op, long now, string[] args, int first)
        {
            Ready();
            for (int i = first; i < args.Length; i++) Rewrite(op, args[i], now);
            Thread.Sleep(Timeout.Infinite);
            return 0;
        }

        private static void Ready()
        {
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
        }

        private static int Write(string path, long first, long count, long stride, int maxBatch, int seed, string how)
        {
            var rng = new Random(seed);
            // FIRST <= 0 is relative to the clock, for files whose retention is measured from the real now.
            if (first <= 0) first += DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            // A common start moment lets writers started one after another really overlap.
            if (Environment.GetEnvironmentVariable("STRESS_START_AT_MS") is string at)
            {
                long wait = long.Parse(at, Inv) - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (wait > 0) Thread.Sleep((int)Math.Min(wait, 60000));
            }
            long startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            long i = 0;
            bool announced = false;
            while (i < count)
            {
                bool single = how == "single" || (how == "mixed" && rng.Next(2) == 0);
                int n = single ? 1 : (int)Math.Min(count - i, 1 + rng.Next(maxBatch));
                using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                {
                    if (single)
                    {
                        long ts = first + i * stride;
                        f.Update(ts + 0.5, ts);
                    }
                    else
                    {
                        var batch = new List<Point>(n);
                        for (int k = 0; k < n; k++)
                        {
                            long ts = first + (i + k) * stride;
                            batch.Add(new Point(ts, ts + 0.5));
                        }
                        var r = f.UpdateMany(batch);
                        if (r.Stored != n) throw new InvalidOperationException("stored " + r.Stored + " of " + n);
                    }
                }
                i += n;
                if (!announced) { Ready(); announced = true; }
            }
            Console.Out.WriteLine("span " + startMs + " " + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Console.Out.WriteLine("done " + count);
            return 0;
        }

        private static int BatchLoop(string path, long baseTs, long ring, long step)
        {
            int n = (int)(ring / step);
            var batch = new List<Point>(n);
            for (long g = 0; ; g++)
            {
                batch.Clear();
                long first = baseTs + g * ring;
                for (int i = 0; i < n; i++)
                {
                    long ts = first + i * step;
                    batch.Add(new Point(ts, ts + 0.5));
                }
                using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                    f.UpdateMany(batch, first + ring - 1);
                if (g == 0) Ready();
            }
        }

        private static int MergeLoop(string dst, string[] args, int start)
        {
            var sources = new List<(string Path, long Now)>();
            for (int i = start; i < args.Length; i++)
            {
                int colon = args[i].LastIndexOf(':');
                sources.Add((args[i].Substring(0, colon), L(args[i].Substring(colon + 1))));
            }
            for (long k = 0; ; k++)
            {
                var s = sources[(int)(k % sources.Count)];
                WhisperFile.Merge(s.Path, dst, null, null, s.Now);
                if (k == 0) Ready();
            }
        }

        private static int SetAggLoop(string path)
        {
            double[] xffs = { 0, 0.25, 0.5, 0.75, 1 };
            for (long k = 0; ; k++)
            {
                using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                    f.SetAggregation((AggregationMethod)(1 + k % 8), xffs[k % xffs.Length]);
                if (k == 0) Ready();
            }
        }

        private static int CreateLoop(string path)
        {
            var layouts = new[]
            {
                new[] { new ArchiveSpec(1, 20000) },
                new[] { new ArchiveSpec(10, 8640), new ArchiveSpec(60, 10080) },
            };
            for (long k = 0; ; k++)
            {
                WhisperFile.Create(path, layouts[k % 2], 0.5, AggregationMethod.Average, new CreateOptions { Overwrite = true });
                if (k == 0) Ready();
            }
        }

        private static int ReadCheck(string path, long milliseconds)
        {
            var until = DateTime.UtcNow.AddMilliseconds(milliseconds);
            long reads = 0, seen = 0;
            do
            {
                using (var f = WhisperFile.Open(path))
                {
                    var a = f.Header.Archives[0];
                    long now = (long)(DateTime.UtcNow - new DateTime(1970, 1, 1)).TotalSeconds;
                    var r = f.Fetch(now - a.Retention + 1, now, now, a.SecondsPerPoint);
                    if (r != null)
                        for (int i = 0; i < r.Values.Length; i++)
                            if (r.Values[i].HasValue)
                            {
                                seen++;
                                long ts = r.TimestampAt(i);
                                if (r.Values[i].Value != ts + 0.5)
                                {
                                    Console.Out.WriteLine("torn " + ts + " " + r.Values[i].Value.ToString("R", Inv));
                                    return 3;
                                }
                            }
                }
                reads++;
                if (reads == 1) Ready();
            } while (DateTime.UtcNow < until);
            Console.Out.WriteLine("reads " + reads + " values " + seen);
            return 0;
        }

        private static int Hold(string path, string how, string release)
        {
            IDisposable held;
            switch (how)
            {
                case "read": held = WhisperFile.Open(path, FileOpenMode.Read); break;
                case "write": held = WhisperFile.Open(path, FileOpenMode.ReadWrite); break;
                case "share-read": held = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read); break;
                case "share-readwrite": held = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite); break;
                case "share-none": held = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None); break;
                default: Console.Error.WriteLine("unknown hold " + how); return 2;
            }
            using (held)
            {
                Ready();
                var until = DateTime.UtcNow.AddMinutes(2);
                while (!File.Exists(release))
                {
                    if (DateTime.UtcNow > until) return 4;
                    Thread.Sleep(20);
                }
            }
            Console.Out.WriteLine("released");
            return 0;
        }

        private static int FillOnce(string path, long now, string[] args, int start)
        {
            var sources = new List<string>();
            for (int i = start; i < args.Length; i++) sources.Add(args[i]);
            // "ready" when the writes are about to begin; with an fsync between the two passes of every group of
            // slots the writes take long enough for a kill to land among them.
            WhisperFile.FillGaps(path, sources, now: now, flush: true, progress: (done, total) => { if (done == 0) Ready(); });
            Console.Out.WriteLine("filled");
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
            return 0;
        }
    }
}
