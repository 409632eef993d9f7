using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using WhisperPS.Engine;

namespace WhisperPS.Bench
{
    /// <summary>
    /// WhisperPS.Bench run     [--runs N] [--only a,b] [--work DIR] [--json FILE]   engine workloads vs python3-whisper
    /// WhisperPS.Bench verify  [--cases N] [--seed S] [--work DIR]                 randomized byte-compare
    /// WhisperPS.Bench report  --engine FILE [--cmdlets FILE] --md FILE --json FILE renders RESULTS.md / results.json
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : "run";
            var opt = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 1; i + 1 < args.Length; i += 2) opt[args[i].TrimStart('-')] = args[i + 1];
            string Get(string k, string d) => opt.TryGetValue(k, out var v) ? v : d;

            string benchDir = Get("bench-dir", FindBenchDir());
            string python = Get("python", "/usr/bin/python3");
            string work = Get("work", Path.Combine(Path.GetTempPath(), "whisperps-bench-" + Environment.ProcessId));

            switch (mode)
            {
                case "run":
                    {
                        using (var py = new PythonDriver(python, Path.Combine(benchDir, "whisper_driver.py")))
                        {
                            long now = Clock.UnixNow();
                            int runs = int.Parse(Get("runs", "7"));
                            var only = opt.ContainsKey("only") ? new HashSet<string>(Get("only", "").Split(',')) : null;
                            Console.WriteLine("engine workloads: " + runs + " timed runs each after one warm-up, now = " + now + ", python " + py.PythonVersion);
                            var results = new Workloads(py, work, now, runs, Console.WriteLine).RunAll(only);
                            var json = new JsonObject
                            {
                                ["now"] = now,
                                ["runs"] = runs,
                                ["python"] = py.PythonVersion,
                                ["whisper_module"] = py.WhisperFile,
                                ["dotnet"] = RuntimeInformation.FrameworkDescription,
                                ["workloads"] = new JsonArray(results.Select(r => (JsonNode)r.ToJson()).ToArray()),
                            };
                            string jsonPath = Get("json", null);
                            if (jsonPath != null) File.WriteAllText(jsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                            Console.WriteLine();
                            Console.WriteLine(Report.EngineTable(json));
                            TryDelete(work);
                            return results.All(r => r.Identical) ? 0 : 2;
                        }
                    }
                case "verify":
                    {
                        using (var py = new PythonDriver(python, Path.Combine(benchDir, "whisper_driver.py")))
                        {
                            int cases = int.Parse(Get("cases", "200"));
                            int seed = int.Parse(Get("seed", "1"));
                            var v = new Verify(py, work, Console.WriteLine);
                            var sw = Stopwatch.StartNew();
                            int failed = v.Run(cases, seed);
                            Console.WriteLine("verify: " + cases + " cases (seeds " + seed + ".." + (seed + cases - 1) + "), " + v.Steps +
                                " operations (" + v.Fetches + " non-empty fetch results, " + v.Errors + " expected errors), " + failed + " failed, " + sw.Elapsed.TotalSeconds.ToString("F1") + " s");
                            if (failed == 0) TryDelete(work);
                            else Console.WriteLine("files of the last failing case left in " + Path.Combine(work, "verify"));
                            return failed == 0 ? 0 : 1;
                        }
                    }
                case "micro":
                    Micro.Run(work);
                    TryDelete(work);
                    return 0;
                case "report":
                    {
                        var engine = JsonNode.Parse(File.ReadAllText(Get("engine", null))).AsObject();
                        string cmdletsPath = Get("cmdlets", null);
                        var cmdlets = cmdletsPath != null && File.Exists(cmdletsPath) ? JsonNode.Parse(File.ReadAllText(cmdletsPath)).AsObject() : null;
                        var machine = Report.Machine(python);
                        var all = new JsonObject
                        {
                            ["generated_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                            ["machine"] = machine,
                            ["engine"] = engine.DeepClone(),
                            ["cmdlets"] = cmdlets?.DeepClone(),
                        };
                        File.WriteAllText(Get("json", "results.json"), all.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
                        File.WriteAllText(Get("md", "RESULTS.md"), Report.Markdown(all));
                        Console.WriteLine(Report.EngineTable(engine));
                        if (cmdlets != null) Console.WriteLine(Report.CmdletTable(cmdlets));
                        return 0;
                    }
                default:
                    Console.Error.WriteLine("usage: WhisperPS.Bench run|verify|report [options]");
                    return 64;
            }
        }

        private static void TryDelete(string dir)
        {
            try { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
            catch (IOException) { /* leave it */ }
        }

        // bench/ is found from the executable (bench/WhisperPS.Bench/bin/<cfg>/net10.0/) or the working directory.
        private static string FindBenchDir()
        {
            foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                {
                    if (File.Exists(Path.Combine(d.FullName, "whisper_driver.py"))) return d.FullName;
                    if (File.Exists(Path.Combine(d.FullName, "bench", "whisper_driver.py"))) return Path.Combine(d.FullName, "bench");
                }
            }
            throw new FileNotFoundException("bench/whisper_driver.py not found; pass --bench-dir");
        }
    }
}
