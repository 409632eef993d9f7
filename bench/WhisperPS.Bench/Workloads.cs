using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Bench
{
    /// <summary>One workload's measurements: per-run seconds for each side, and whether every run's output matched.</summary>
    internal sealed class WorkloadResult
    {
        public string Name;
        public string Description;
        public int Operations = 1;
        public double? Target;
        public List<double> Python = new List<double>();
        public List<double> WhisperPS = new List<double>();
        public bool Identical = true;
        public string Mismatch;
        public long? AllocatedBytes;
        public string Notes;
        // update-realtime only: the same updates as bare system calls (SyscallFloor), timed in the same runs.
        public List<double> Floor = new List<double>();
        public List<double> UnsafeFloor = new List<double>();

        public double PythonMedian => Median(Python);
        public double WhisperPSMedian => Median(WhisperPS);
        public double Ratio => PythonMedian / WhisperPSMedian;

        public static double Median(List<double> xs)
        {
            if (xs.Count == 0) return double.NaN;
            var s = xs.OrderBy(x => x).ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        }

        public JsonObject ToJson()
        {
            var o = new JsonObject
            {
                ["name"] = Name,
                ["description"] = Description,
                ["operations"] = Operations,
                ["python_seconds"] = new JsonArray(Python.Select(x => (JsonNode)x).ToArray()),
                ["whisperps_seconds"] = new JsonArray(WhisperPS.Select(x => (JsonNode)x).ToArray()),
                ["python_median"] = PythonMedian,
                ["whisperps_median"] = WhisperPSMedian,
                ["ratio"] = Ratio,
                ["target_ratio"] = Target,
                ["target_met"] = Target.HasValue ? Ratio >= Target.Value : (bool?)null,
                ["identical"] = Identical,
            };
            if (Mismatch != null) o["mismatch"] = Mismatch;
            if (AllocatedBytes.HasValue) o["whisperps_allocated_bytes"] = AllocatedBytes.Value;
            if (Notes != null) o["notes"] = Notes;
            if (Floor.Count > 0)
            {
                o["syscall_floor_seconds"] = new JsonArray(Floor.Select(x => (JsonNode)x).ToArray());
                o["syscall_floor_median"] = Median(Floor);
                o["syscall_floor_calls_per_operation"] = SyscallFloor.CallsPerUpdate(true);
                o["ratio_at_floor"] = PythonMedian / Median(Floor);
                o["unsafe_floor_seconds"] = new JsonArray(UnsafeFloor.Select(x => (JsonNode)x).ToArray());
                o["unsafe_floor_median"] = Median(UnsafeFloor);
                o["unsafe_floor_calls_per_operation"] = SyscallFloor.CallsPerUpdate(false);
                o["ratio_at_unsafe_floor"] = PythonMedian / Median(UnsafeFloor);
            }
            return o;
        }
    }

    /// <summary>
    /// The engine workloads of issue 5. Each run gets fresh copies of the same input files for both sides; python and
    /// WhisperPS alternate which goes first; after every run the two outputs are compared byte for byte.
    /// </summary>
    internal sealed class Workloads
    {
        // 10s:1d, 1m:7d, 10m:1y
        public static readonly (long Spp, long Points)[] Schema = { (10, 8640), (60, 10080), (600, 52560) };

        private readonly PythonDriver _py;
        private readonly string _work;
        private readonly long _now;
        private readonly int _runs;
        private readonly Action<string> _log;
        private string _emptyTemplate, _fullTemplate;

        public Workloads(PythonDriver py, string work, long now, int runs, Action<string> log)
        {
            _py = py;
            _work = work;
            _now = now;
            _runs = runs;
            _log = log;
        }

        /// <summary>Must match value_at in whisper_driver.py: integer arithmetic, then one IEEE division.</summary>
        public static double ValueAt(long i) => ((i * 7919) % 10007) / 7.0;

        public static List<Point> Series(long start, long step, int count)
        {
            var list = new List<Point>(count);
            for (int k = 0; k < count; k++) list.Add(new Point(start + k * step, ValueAt(k)));
            return list;
        }

        public static IEnumerable<ArchiveSpec> Specs => Schema.Select(a => new ArchiveSpec(a.Spp, a.Points));

        public static JsonArray SchemaJson() => new JsonArray(Schema.Select(a => (JsonNode)new JsonArray(a.Spp, a.Points)).ToArray());

        public List<WorkloadResult> RunAll(ISet<string> only)
        {
            Directory.CreateDirectory(_work);
            PrepareTemplates();
            var all = new List<(string Name, Func<WorkloadResult> Run)>
            {
                ("create-zero", () => Create("create-zero", "create 20 files, zero-filled (whisper-create default)", false, false, null)),
                ("create-sparse", () => Create("create-sparse", "create 20 files, sparse", true, false, 1.0)),
                ("create-prealloc", () => Create("create-prealloc", "create 20 files, preallocated (posix_fallocate)", false, true, 1.0)),
                ("update_many-100x1000", () => UpdateMany("update_many-100x1000", 1000, 20.0)),
                ("update_many-1x100000", () => UpdateMany("update_many-1x100000", 100000, null)),
                ("backfill-1y", Backfill),
                ("update-realtime", Realtime),
                ("fetch-1d", () => Fetch("fetch-1d", "fetch of the full 1-day archive (8,640 points) from a full file", 86400, 20, 30.0)),
                ("fetch-1y", () => Fetch("fetch-1y", "fetch of the full 1-year archive (52,560 points) from a full file", 365L * 86400, 5, 50.0)),
                ("files-1000", Files),
                ("merge", Merge),
            };
            var results = new List<WorkloadResult>();
            foreach (var w in all)
            {
                if (only != null && !only.Contains(w.Name)) continue;
                _log("  " + w.Name + " ...");
                var r = w.Run();
                results.Add(r);
                _log(string.Format("    python {0,10:F3} ms   WhisperPS {1,10:F3} ms   ratio {2,8:F1}x {3}", r.PythonMedian * 1000,
                    r.WhisperPSMedian * 1000, r.Ratio, r.Identical ? "identical" : "MISMATCH: " + r.Mismatch));
                if (r.Floor.Count > 0)
                    _log(string.Format("    syscall floor {0,10:F3} ms   python / floor {1,8:F1}x   without lock and length check {2,10:F3} ms   {3,8:F1}x",
                        WorkloadResult.Median(r.Floor) * 1000, r.PythonMedian / WorkloadResult.Median(r.Floor),
                        WorkloadResult.Median(r.UnsafeFloor) * 1000, r.PythonMedian / WorkloadResult.Median(r.UnsafeFloor)));
            }
            return results;
        }

        private void PrepareTemplates()
        {
            string dir = Path.Combine(_work, "templates");
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            Directory.CreateDirectory(dir);
            _emptyTemplate = Path.Combine(dir, "empty.wsp");
            WhisperFile.Create(_emptyTemplate, Specs, 0.5, AggregationMethod.Average);
            _fullTemplate = Path.Combine(dir, "full.wsp");
            WhisperFile.Create(_fullTemplate, Specs, 0.5, AggregationMethod.Average);
            using (var f = WhisperFile.Open(_fullTemplate, FileOpenMode.ReadWrite))
            {
                foreach (var (spp, points) in new (long, int)[] { (600, 52560), (60, 10080), (10, 8640) })
                    f.UpdateMany(Series(_now - (points - 1) * spp, spp, points), _now);
            }
        }

        private string RunDir(string workload, int run)
        {
            string dir = Path.Combine(_work, workload, "run" + run);
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            Directory.CreateDirectory(Path.Combine(dir, "py"));
            Directory.CreateDirectory(Path.Combine(dir, "cs"));
            return dir;
        }

        /// <summary>
        /// Runs one warm-up (index -1, untimed) and then the timed runs, alternating which side goes first.
        /// <paramref name="py"/> returns python's request for run i; <paramref name="cs"/> does the C# work for run i and
        /// returns its result; <paramref name="check"/> compares the two sides' outputs (null when identical).
        /// </summary>
        private WorkloadResult Measure(WorkloadResult r, Func<int, string, JsonObject> py, Func<int, string, object> cs,
            Func<int, string, JsonNode, object, string> check, Func<string, bool, double> floor = null)
        {
            for (int i = -1; i < _runs; i++)
            {
                string dir = RunDir(r.Name, i + 1);
                double pySeconds = 0, csSeconds = 0;
                JsonNode pyResult = null;
                object csResult = null;
                var request = py(i, dir); // also prepares both sides' input files, untimed
                void RunPy() => (pySeconds, pyResult) = _py.Timed(request);
                void RunCs()
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var sw = Stopwatch.StartNew();
                    csResult = cs(i, dir);
                    csSeconds = sw.Elapsed.TotalSeconds;
                }
                if ((i & 1) == 0) { RunPy(); RunCs(); } else { RunCs(); RunPy(); }
                double floorSeconds = floor?.Invoke(dir, true) ?? 0;
                double unsafeFloorSeconds = floor?.Invoke(dir, false) ?? 0;
                string diff = check(i, dir, pyResult, csResult);
                if (diff != null && r.Identical)
                {
                    r.Identical = false;
                    r.Mismatch = diff;
                }
                if (i >= 0)
                {
                    r.Python.Add(pySeconds);
                    r.WhisperPS.Add(csSeconds);
                    if (floor != null)
                    {
                        r.Floor.Add(floorSeconds);
                        r.UnsafeFloor.Add(unsafeFloorSeconds);
                    }
                }
                Directory.Delete(dir, true);
            }
            return r;
        }

        private static string CompareFiles(string a, string b)
        {
            var x = File.ReadAllBytes(a);
            var y = File.ReadAllBytes(b);
            if (x.Length != y.Length) return Path.GetFileName(a) + ": lengths differ (" + x.Length + " vs " + y.Length + ")";
            for (int i = 0; i < x.Length; i++)
                if (x[i] != y[i]) return Path.GetFileName(a) + ": first difference at byte " + i;
            return null;
        }

        private static string CompareDirs(string dir, string pattern = "*.wsp")
        {
            var names = Directory.GetFiles(Path.Combine(dir, "py"), pattern).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            var other = Directory.GetFiles(Path.Combine(dir, "cs"), pattern).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            if (!names.SequenceEqual(other)) return "different file names (" + names.Length + " vs " + other.Length + ")";
            foreach (var n in names)
            {
                string d = CompareFiles(Path.Combine(dir, "py", n), Path.Combine(dir, "cs", n));
                if (d != null) return d;
            }
            return null;
        }

        private WorkloadResult Create(string name, string description, bool sparse, bool prealloc, double? target)
        {
            const int files = 20;
            var r = new WorkloadResult { Name = name, Description = description, Operations = files, Target = target };
            var options = new CreateOptions { Sparse = sparse, Preallocate = prealloc };
            return Measure(r,
                (i, dir) => new JsonObject
                {
                    ["op"] = "create",
                    ["paths"] = new JsonArray(Enumerable.Range(0, files).Select(k => (JsonNode)Path.Combine(dir, "py", "c" + k + ".wsp")).ToArray()),
                    ["archives"] = SchemaJson(), ["xff"] = 0.5, ["method"] = "average", ["sparse"] = sparse, ["fallocate"] = prealloc,
                },
                (i, dir) =>
                {
                    for (int k = 0; k < files; k++)
                        WhisperFile.Create(Path.Combine(dir, "cs", "c" + k + ".wsp"), Specs, 0.5, AggregationMethod.Average, options);
                    return null;
                },
                (i, dir, p, c) => CompareDirs(dir));
        }

        private WorkloadResult UpdateMany(string name, int chunk, double? target)
        {
            const int count = 100000;
            long start = _now - (count - 1) * 10L;
            var r = new WorkloadResult
            {
                Name = name, Operations = count / chunk, Target = target,
                Description = "update_many of 100,000 points 10 s apart ending now, as " + (count / chunk) + " call(s) of " +
                    chunk.ToString("N0") + " points; each call opens the file (python: update_many(path, ...))",
            };
            var points = Series(start, 10, count);
            var calls = new List<List<Point>>();
            for (int k = 0; k < count; k += chunk) calls.Add(points.GetRange(k, Math.Min(chunk, count - k)));
            return Measure(r,
                (i, dir) =>
                {
                    File.Copy(_emptyTemplate, Path.Combine(dir, "py", "u.wsp"));
                    File.Copy(_emptyTemplate, Path.Combine(dir, "cs", "u.wsp"));
                    return new JsonObject
                    {
                        ["op"] = "update_many_series", ["path"] = Path.Combine(dir, "py", "u.wsp"), ["start"] = start,
                        ["step"] = 10, ["count"] = count, ["chunk"] = chunk, ["now"] = _now,
                    };
                },
                (i, dir) =>
                {
                    string path = Path.Combine(dir, "cs", "u.wsp");
                    foreach (var c in calls)
                        using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                            f.UpdateMany(c, _now);
                    return null;
                },
                (i, dir, p, c) => CompareDirs(dir));
        }

        private WorkloadResult Backfill()
        {
            const int count = 52560;
            long start = _now - (count - 1) * 600L;
            var r = new WorkloadResult
            {
                Name = "backfill-1y", Target = 100,
                Description = "one update_many call of one year of 10-minute points (52,560) into an empty file",
            };
            var points = Series(start, 600, count);
            return Measure(r,
                (i, dir) =>
                {
                    File.Copy(_emptyTemplate, Path.Combine(dir, "py", "b.wsp"));
                    File.Copy(_emptyTemplate, Path.Combine(dir, "cs", "b.wsp"));
                    return new JsonObject
                    {
                        ["op"] = "update_many_series", ["path"] = Path.Combine(dir, "py", "b.wsp"), ["start"] = start,
                        ["step"] = 600, ["count"] = count, ["chunk"] = count, ["now"] = _now,
                    };
                },
                (i, dir) =>
                {
                    using (var f = WhisperFile.Open(Path.Combine(dir, "cs", "b.wsp"), FileOpenMode.ReadWrite))
                        f.UpdateMany(points, _now);
                    return null;
                },
                (i, dir, p, c) => CompareDirs(dir));
        }

        private WorkloadResult Realtime()
        {
            const int count = 10000;
            long start = _now - (count - 1) * 10L;
            var r = new WorkloadResult
            {
                Name = "update-realtime", Target = 4, Operations = count,
                Description = "10,000 single-point update() calls 10 s apart, each at its own now; open+write+close per call",
            };
            var points = Series(start, 10, count);
            return Measure(r,
                (i, dir) =>
                {
                    File.Copy(_emptyTemplate, Path.Combine(dir, "py", "r.wsp"));
                    File.Copy(_emptyTemplate, Path.Combine(dir, "cs", "r.wsp"));
                    return new JsonObject
                    {
                        ["op"] = "updates_realtime", ["path"] = Path.Combine(dir, "py", "r.wsp"), ["start"] = start,
                        ["step"] = 10, ["count"] = count,
                    };
                },
                (i, dir) =>
                {
                    string path = Path.Combine(dir, "cs", "r.wsp");
                    foreach (var p in points)
                        using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                            f.Update(p.Value, p.Timestamp, p.Timestamp);
                    return null;
                },
                (i, dir, p, c) => CompareDirs(dir),
                (dir, safe) =>
                {
                    string path = Path.Combine(dir, safe ? "floor.wsp" : "floor-unsafe.wsp");
                    File.Copy(_emptyTemplate, path);
                    var sw = Stopwatch.StartNew();
                    SyscallFloor.Run(path, count, safe);
                    return sw.Elapsed.TotalSeconds;
                });
        }

        private WorkloadResult Fetch(string name, string description, long span, int repeat, double target)
        {
            var r = new WorkloadResult { Name = name, Description = description + "; each fetch opens the file", Target = target, Operations = repeat };
            long from = _now - span;
            // One fetch's allocations, after warm-up, for the memory claim in RESULTS.md.
            using (var f = WhisperFile.Open(_fullTemplate)) f.Fetch(from, _now, _now);
            long before = GC.GetAllocatedBytesForCurrentThread();
            using (var f = WhisperFile.Open(_fullTemplate)) f.Fetch(from, _now, _now);
            r.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            return Measure(r,
                (i, dir) => new JsonObject { ["op"] = "fetch", ["path"] = _fullTemplate, ["from"] = from, ["until"] = _now, ["now"] = _now, ["repeat"] = repeat },
                (i, dir) =>
                {
                    FetchResult last = null;
                    for (int k = 0; k < repeat; k++)
                        using (var f = WhisperFile.Open(_fullTemplate))
                            last = f.Fetch(from, _now, _now);
                    return last;
                },
                (i, dir, p, c) =>
                {
                    string mine = Digest((FetchResult)c);
                    return mine == (string)p ? null : "fetch digest differs: python " + (string)p + " WhisperPS " + mine;
                });
        }

        private WorkloadResult Files()
        {
            const int files = 1000;
            var r = new WorkloadResult
            {
                Name = "files-1000", Target = 1, Operations = files,
                Description = "1,000 files: create each (preallocated, carbon's default on Linux) and update() one point into it",
                Notes = "carbon creates with WHISPER_FALLOCATE_CREATE = True by default on Linux, so both sides use posix_fallocate",
            };
            var options = new CreateOptions { Preallocate = true };
            return Measure(r,
                (i, dir) => new JsonObject
                {
                    ["op"] = "files",
                    ["paths"] = new JsonArray(Enumerable.Range(0, files).Select(k => (JsonNode)Path.Combine(dir, "py", "m" + k.ToString("D4") + ".wsp")).ToArray()),
                    ["archives"] = SchemaJson(), ["xff"] = 0.5, ["method"] = "average", ["fallocate"] = true, ["now"] = _now,
                },
                (i, dir) =>
                {
                    for (int k = 0; k < files; k++)
                    {
                        string path = Path.Combine(dir, "cs", "m" + k.ToString("D4") + ".wsp");
                        WhisperFile.Create(path, Specs, 0.5, AggregationMethod.Average, options);
                        using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                            f.Update(ValueAt(k), _now, _now);
                    }
                    return null;
                },
                (i, dir, p, c) => CompareDirs(dir));
        }

        private WorkloadResult Merge()
        {
            var r = new WorkloadResult
            {
                Name = "merge", Target = 100,
                Description = "merge of a full file into an empty one with the same schema",
            };
            return Measure(r,
                (i, dir) =>
                {
                    File.Copy(_emptyTemplate, Path.Combine(dir, "py", "dst.wsp"));
                    File.Copy(_emptyTemplate, Path.Combine(dir, "cs", "dst.wsp"));
                    return new JsonObject { ["op"] = "merge", ["src"] = _fullTemplate, ["dst"] = Path.Combine(dir, "py", "dst.wsp"), ["now"] = _now };
                },
                (i, dir) =>
                {
                    WhisperFile.Merge(_fullTemplate, Path.Combine(dir, "cs", "dst.wsp"), now: _now);
                    return null;
                },
                (i, dir, p, c) => CompareDirs(dir));
        }

        /// <summary>Must match fetch_digest in whisper_driver.py.</summary>
        public static string Digest(FetchResult r)
        {
            if (r == null) return "none";
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buf = new byte[9];
                foreach (var v in r.Values)
                {
                    if (v == null)
                    {
                        sha.AppendData(new[] { (byte)'N' });
                        continue;
                    }
                    buf[0] = (byte)'V';
                    ulong bits = (ulong)BitConverter.DoubleToInt64Bits(v.Value);
                    for (int b = 0; b < 8; b++) buf[1 + b] = (byte)(bits >> (56 - 8 * b));
                    sha.AppendData(buf);
                }
                string hex = Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
                return r.FromInterval + ":" + r.UntilInterval + ":" + r.Step + ":" + r.Values.Length + ":" + hex;
            }
        }
    }
}
