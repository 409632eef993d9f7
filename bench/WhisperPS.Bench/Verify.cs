using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Bench
{
    /// <summary>
    /// Randomized byte-compare of WhisperPS against python3-whisper: each case creates a random schema, then runs a
    /// random script of update / update_many / fetch / set-aggregation / merge calls through both implementations,
    /// comparing every result and both files' bytes after every step. Consecutive writes on the C# side sometimes
    /// share one open handle (the batch path), which python cannot do, so per-open caching is checked as well.
    /// </summary>
    internal sealed class Verify
    {
        private static readonly string[] MethodNames = { null, "average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin" };

        private readonly PythonDriver _py;
        private readonly string _work;
        private readonly Action<string> _log;

        public Verify(PythonDriver py, string work, Action<string> log)
        {
            _py = py;
            _work = work;
            _log = log;
        }

        public int Steps { get; private set; }
        public int Errors { get; private set; }
        public int Fetches { get; private set; }

        /// <summary>Returns the number of failing cases.</summary>
        public int Run(int cases, int seed)
        {
            int failed = 0;
            for (int c = 0; c < cases; c++)
            {
                int caseSeed = seed + c;
                string error;
                try { error = RunCase(caseSeed); }
                catch (Exception e) { error = "exception: " + e; }
                if (error != null)
                {
                    failed++;
                    _log("  case seed " + caseSeed + ": " + error);
                    if (failed >= 10) { _log("  stopping after 10 failures"); break; }
                }
                if ((c + 1) % 50 == 0) _log("  " + (c + 1) + " cases, " + Steps + " steps, " + failed + " failed");
            }
            return failed;
        }

        private sealed class Side
        {
            public string Dir;
            public string Main => Path.Combine(Dir, "main.wsp");
            public string Other => Path.Combine(Dir, "other.wsp");
        }

        private string RunCase(int seed)
        {
            var rng = new Random(seed);
            string dir = Path.Combine(_work, "verify", "case");
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            var py = new Side { Dir = Path.Combine(dir, "py") };
            var cs = new Side { Dir = Path.Combine(dir, "cs") };
            Directory.CreateDirectory(py.Dir);
            Directory.CreateDirectory(cs.Dir);

            var schema = RandomSchema(rng);
            long maxRet = schema.Max(a => a.Spp * a.Points);
            long now = 1600000000 + rng.Next(0, 100000000);
            var ops = new List<JsonObject>();
            ops.Add(CreateOp("main.wsp", schema, rng));
            ops.Add(CreateOp("other.wsp", schema, rng));
            // Fill the merge source.
            for (int k = 0; k < 1 + rng.Next(3); k++) ops.Add(UpdateManyOp("other.wsp", schema, maxRet, now, rng));

            int steps = 10 + rng.Next(40);
            for (int s = 0; s < steps; s++)
            {
                if (rng.Next(4) == 0) now += rng.Next(0, (int)Math.Min(int.MaxValue, maxRet / 5 + 2));
                int kind = rng.Next(100);
                if (kind < 40) ops.Add(UpdateManyOp("main.wsp", schema, maxRet, now, rng));
                else if (kind < 60)
                {
                    // a burst of single updates, in time order, as carbon would send them
                    int n = 1 + rng.Next(20);
                    long t = now - rng.Next(0, (int)Math.Min(int.MaxValue, maxRet + 3));
                    for (int k = 0; k < n; k++)
                    {
                        ops.Add(new JsonObject { ["op"] = "update", ["file"] = "main.wsp", ["value"] = Bits(RandomValue(rng)), ["timestamp"] = t, ["now"] = rng.Next(3) == 0 ? t : now });
                        t += rng.Next(0, (int)schema[0].Spp * 3 + 1);
                    }
                }
                else if (kind < 80) ops.Add(FetchOp(rng.Next(5) == 0 ? "other.wsp" : "main.wsp", schema, maxRet, now, rng));
                else if (kind < 88)
                {
                    var o = new JsonObject { ["op"] = "set_aggregation", ["file"] = "main.wsp", ["method"] = MethodNames[1 + rng.Next(8)] };
                    if (rng.Next(2) == 0) o["xff"] = RandomXff(rng);
                    ops.Add(o);
                }
                else
                {
                    bool reverse = rng.Next(4) == 0;
                    var o = new JsonObject { ["op"] = "merge", ["src"] = reverse ? "main.wsp" : "other.wsp", ["dst"] = reverse ? "other.wsp" : "main.wsp", ["now"] = now };
                    if (rng.Next(2) == 0)
                    {
                        long from = now - rng.Next(0, (int)Math.Min(int.MaxValue, maxRet * 2));
                        o["from"] = from;
                        o["until"] = from + rng.Next(0, (int)Math.Min(int.MaxValue, maxRet * 2));
                    }
                    ops.Add(o);
                }
                if (rng.Next(8) == 0) ops.Add(UpdateManyOp("other.wsp", schema, maxRet, now, rng));
            }

            // Python: the whole script in one request; then C#, step by step, comparing as it goes.
            var pyOps = new JsonArray(ops.Select(o => (JsonNode)WithPaths(o, py)).ToArray());
            var pyResults = _py.Call(new JsonObject { ["op"] = "script", ["ops"] = pyOps })["result"].AsArray().Select(n => (string)n).ToArray();
            // Python ran everything up front, so its files are the final state; compare results per step and files at
            // the end, and replay python step by step only when something differs, to find the first bad step.
            WhisperFile writer = null;
            string writerPath = null;
            var csResults = new List<string>();
            try
            {
                for (int i = 0; i < ops.Count; i++)
                {
                    var o = WithPaths(ops[i], cs);
                    string op = (string)o["op"];
                    bool canShare = (op == "update" || op == "update_many");
                    if (writer != null && (!canShare || (string)o["path"] != writerPath || rng.Next(3) == 0))
                    {
                        writer.Dispose();
                        writer = null;
                    }
                    if (canShare && writer == null && rng.Next(2) == 0)
                    {
                        writerPath = (string)o["path"];
                        writer = WhisperFile.Open(writerPath, FileOpenMode.ReadWrite);
                    }
                    csResults.Add(Execute(o, canShare ? writer : null));
                    Steps++;
                }
            }
            finally
            {
                writer?.Dispose();
            }
            for (int i = 0; i < ops.Count; i++)
            {
                string a = pyResults[i], b = csResults[i];
                if (a.StartsWith("error:", StringComparison.Ordinal)) Errors++;
                else if (a != "ok" && a != "none") Fetches++;
                bool same = a == b || (a.StartsWith("error:", StringComparison.Ordinal) && b.StartsWith("error:", StringComparison.Ordinal));
                if (!same)
                    return "step " + i + " (" + ops[i].ToJsonString().Substring(0, Math.Min(200, ops[i].ToJsonString().Length)) + "): python " + a + ", WhisperPS " + b +
                        "; files: " + FirstBadStep(ops, py, cs, "main.wsp");
            }
            foreach (var name in new[] { "main.wsp", "other.wsp" })
            {
                var x = File.ReadAllBytes(Path.Combine(py.Dir, name));
                var y = File.ReadAllBytes(Path.Combine(cs.Dir, name));
                if (!x.AsSpan().SequenceEqual(y))
                {
                    string where = FirstBadStep(ops, py, cs, name);
                    return name + " differs after the script (" + where + ")";
                }
            }
            Directory.Delete(dir, true);
            return null;
        }

        // Replays both sides one operation at a time (fresh files, C# without shared handles) to name the first step
        // after which the files differ.
        private string FirstBadStep(List<JsonObject> ops, Side py, Side cs, string name)
        {
            foreach (var s in new[] { py, cs })
                foreach (var f in Directory.GetFiles(s.Dir)) File.Delete(f);
            for (int i = 0; i < ops.Count; i++)
            {
                _py.Call(new JsonObject { ["op"] = "script", ["ops"] = new JsonArray(WithPaths(ops[i], py)) });
                Execute(WithPaths(ops[i], cs), null);
                foreach (var n in new[] { "main.wsp", "other.wsp" })
                {
                    string a = Path.Combine(py.Dir, n), b = Path.Combine(cs.Dir, n);
                    if (File.Exists(a) != File.Exists(b)) return "step " + i + ": " + n + " exists on one side only";
                    if (File.Exists(a) && !File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)))
                    {
                        var x = File.ReadAllBytes(a);
                        var y = File.ReadAllBytes(b);
                        int at = 0;
                        while (at < Math.Min(x.Length, y.Length) && x[at] == y[at]) at++;
                        var header = WhisperFile.ReadHeader(a);
                        string layout = string.Join(",", header.Archives.Select(h => h.Offset + ":" + h.SecondsPerPoint + "x" + h.Points));
                        return "first at step " + i + " (" + n + " byte " + at + ", archives " + layout + "): " +
                            ops[i].ToJsonString().Substring(0, Math.Min(Environment.GetEnvironmentVariable("VERIFY_FULL") != null ? 100000 : 300, ops[i].ToJsonString().Length));
                    }
                }
            }
            return "not reproduced without shared handles: the batch path differs";
        }

        private static JsonObject WithPaths(JsonObject o, Side side)
        {
            var c = (JsonObject)o.DeepClone();
            foreach (var key in new[] { "file", "src", "dst" })
            {
                if (!c.ContainsKey(key)) continue;
                string full = Path.Combine(side.Dir, (string)c[key]);
                if (key == "file") { c.Remove("file"); c["path"] = full; }
                else c[key] = full;
            }
            return c;
        }

        private static string Execute(JsonObject o, WhisperFile shared)
        {
            try
            {
                switch ((string)o["op"])
                {
                    case "create":
                        WhisperFile.Create((string)o["path"], o["archives"].AsArray().Select(a => new ArchiveSpec((long)a[0], (long)a[1])),
                            (double)o["xff"], Aggregation.Parse((string)o["method"]), new CreateOptions { Sparse = (bool)o["sparse"] });
                        return "ok";
                    case "update":
                        WithWriter((string)o["path"], shared, f => f.Update(FromBits((string)o["value"]), (long)o["timestamp"], (long)o["now"]));
                        return "ok";
                    case "update_many":
                        {
                            var pts = o["points"].AsArray().Select(p => new Point((long)p[0], FromBits((string)p[1]))).ToList();
                            WithWriter((string)o["path"], shared, f => f.UpdateMany(pts, (long)o["now"]));
                            return "ok";
                        }
                    case "fetch":
                        using (var f = WhisperFile.Open((string)o["path"]))
                            return Workloads.Digest(f.Fetch((long)o["from"], (long)o["until"], (long)o["now"]));
                    case "set_aggregation":
                        using (var f = WhisperFile.Open((string)o["path"], FileOpenMode.ReadWrite))
                        {
                            double? xff = o.ContainsKey("xff") ? (double?)(double)o["xff"] : null;
                            f.SetAggregation(Aggregation.Parse((string)o["method"]), xff);
                        }
                        return "ok";
                    case "merge":
                        WhisperFile.Merge((string)o["src"], (string)o["dst"], o.ContainsKey("from") ? (long?)(long)o["from"] : null,
                            o.ContainsKey("until") ? (long?)(long)o["until"] : null, (long)o["now"]);
                        return "ok";
                }
                return "unknown op";
            }
            catch (Exception e) when (e is WhisperException || e is ArgumentException || e is IOException)
            {
                return "error:" + e.GetType().Name;
            }
        }

        private static void WithWriter(string path, WhisperFile shared, Action<WhisperFile> action)
        {
            if (shared != null) { action(shared); return; }
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) action(f);
        }

        private static List<(long Spp, long Points)> RandomSchema(Random rng)
        {
            while (true)
            {
                var list = new List<(long Spp, long Points)>();
                int n = 1 + rng.Next(4);
                long spp = new long[] { 1, 5, 10, 60 }[rng.Next(4)];
                long points = 2 + rng.Next(60);
                list.Add((spp, points));
                for (int k = 1; k < n; k++)
                {
                    var prev = list[k - 1];
                    var factors = new long[] { 2, 3, 4, 5, 6, 10, 12 }.Where(f => f <= prev.Points).ToArray();
                    if (factors.Length == 0) break;
                    long s = prev.Spp * factors[rng.Next(factors.Length)];
                    long min = prev.Spp * prev.Points / s + 1;
                    list.Add((s, min + rng.Next(40)));
                }
                try
                {
                    Retention.Validate(list.Select(a => new ArchiveSpec(a.Spp, a.Points)));
                    return list;
                }
                catch (WhisperException) { /* try another */ }
            }
        }

        private static JsonObject CreateOp(string file, List<(long Spp, long Points)> schema, Random rng)
        {
            return new JsonObject
            {
                ["op"] = "create", ["file"] = file,
                ["archives"] = new JsonArray(schema.Select(a => (JsonNode)new JsonArray(a.Spp, a.Points)).ToArray()),
                ["xff"] = RandomXff(rng), ["method"] = MethodNames[1 + rng.Next(8)], ["sparse"] = rng.Next(3) == 0,
            };
        }

        private static double RandomXff(Random rng)
        {
            var xs = new[] { 0.0, 0.1, 0.2, 0.25, 0.3, 0.5, 0.5, 0.5, 0.7, 0.9, 1.0 };
            return rng.Next(5) == 0 ? Math.Round(rng.NextDouble(), 3) : xs[rng.Next(xs.Length)];
        }

        private static JsonObject UpdateManyOp(string file, List<(long Spp, long Points)> schema, long maxRet, long now, Random rng)
        {
            var pts = new List<(long T, double V)>();
            int mode = rng.Next(5);
            if (mode <= 1)
            {
                // a contiguous series at some archive's step (or an odd step), possibly longer than an archive
                long step = rng.Next(3) == 0 ? 1 + rng.Next(90) : schema[rng.Next(schema.Count)].Spp;
                int count = 1 + rng.Next((int)Math.Min(600, maxRet / step + 5));
                long end = now - rng.Next(0, (int)Math.Min(int.MaxValue, maxRet + 2)) + (rng.Next(10) == 0 ? rng.Next(50) : 0);
                for (int k = count - 1; k >= 0; k--) pts.Add((end - k * step, RandomValue(rng)));
                if (rng.Next(4) == 0) pts.Reverse();
            }
            else if (mode == 2)
            {
                // random times all over (and past) the retention, with duplicates
                int count = 1 + rng.Next(200);
                for (int k = 0; k < count; k++)
                {
                    if (pts.Count > 0 && rng.Next(6) == 0) { pts.Add((pts[rng.Next(pts.Count)].T, RandomValue(rng))); continue; }
                    pts.Add((now - rng.Next(-30, (int)Math.Min(int.MaxValue, maxRet * 6 / 5 + 2)), RandomValue(rng)));
                }
            }
            else
            {
                // recent points, as a carbon cache flush would send them
                int count = 1 + rng.Next(100);
                long t = now - rng.Next(0, (int)Math.Min(int.MaxValue, schema[0].Spp * schema[0].Points + 1));
                for (int k = 0; k < count && t <= now + 5; k++)
                {
                    pts.Add((t, RandomValue(rng)));
                    t += rng.Next(0, (int)schema[0].Spp * 2 + 1);
                }
                if (rng.Next(3) == 0) Shuffle(pts, rng);
            }
            // edge timestamps
            if (rng.Next(10) == 0) pts.Add((now - maxRet, RandomValue(rng)));
            if (rng.Next(20) == 0) pts.Add((Math.Max(1, rng.Next(0, 100)), RandomValue(rng)));
            return new JsonObject
            {
                ["op"] = "update_many", ["file"] = file, ["now"] = now,
                ["points"] = new JsonArray(pts.Select(p => (JsonNode)new JsonArray(p.T, Bits(p.V))).ToArray()),
            };
        }

        private static JsonObject FetchOp(string file, List<(long Spp, long Points)> schema, long maxRet, long now, Random rng)
        {
            long from = now - rng.Next(-20, (int)Math.Min(int.MaxValue, maxRet * 13 / 10 + 2));
            long until = rng.Next(10) == 0 ? from - rng.Next(1, 100) : from + rng.Next(0, (int)Math.Min(int.MaxValue, maxRet + 50));
            if (rng.Next(5) == 0) until = now;
            return new JsonObject { ["op"] = "fetch", ["file"] = file, ["from"] = from, ["until"] = until, ["now"] = now };
        }

        private static void Shuffle<T>(List<T> list, Random rng)
        {
            for (int i = list.Count - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (list[i], list[j]) = (list[j], list[i]);
            }
        }

        private static double RandomValue(Random rng)
        {
            switch (rng.Next(40))
            {
                case 0: return BitConverter.Int64BitsToDouble(0x7FF8000000000000); // python's NaN
                case 1: return double.PositiveInfinity;
                case 2: return double.NegativeInfinity;
                case 3: return 0.0;
                case 4: return -0.0;
                case 5: case 6: case 7: return rng.Next(-5, 6);
                default: return Math.Round((rng.NextDouble() - 0.4) * 1000, rng.Next(8));
            }
        }

        private static string Bits(double v) => ((ulong)BitConverter.DoubleToInt64Bits(v)).ToString("x16");

        private static double FromBits(string hex) => BitConverter.Int64BitsToDouble((long)Convert.ToUInt64(hex, 16));
    }
}
