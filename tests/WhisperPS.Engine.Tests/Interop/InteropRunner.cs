using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using WhisperPS.Engine.Tests.Support;
using Xunit.Sdk;

namespace WhisperPS.Engine.Tests.Interop
{
    /// <summary>
    /// Runs a set of cases on both implementations with one Python start: the engine runs every case in its
    /// directory, driver.py runs the same script in another (reading the engine's files for the cross-read
    /// ops), then the engine reads Python's files, and every result is compared with Python's.
    /// </summary>
    internal static class InteropRunner
    {
        public const string SeedVariable = "WHISPERPS_INTEROP_SEED";
        public const string CountVariable = "WHISPERPS_INTEROP_CASES";

        /// <summary>Seeds <paramref name="firstSeed"/>.. for <paramref name="count"/> cases, or only the seed in
        /// WHISPERPS_INTEROP_SEED to replay one failure; WHISPERPS_INTEROP_CASES overrides the count.</summary>
        public static IEnumerable<int> Seeds(int firstSeed, int count)
        {
            string replay = Environment.GetEnvironmentVariable(SeedVariable);
            if (!string.IsNullOrEmpty(replay)) return new[] { int.Parse(replay, CultureInfo.InvariantCulture) };
            string n = Environment.GetEnvironmentVariable(CountVariable);
            if (!string.IsNullOrEmpty(n)) count = int.Parse(n, CultureInfo.InvariantCulture);
            return Enumerable.Range(firstSeed, count);
        }

        /// <summary>Runs the cases and fails with every differing case's seed and first difference.</summary>
        public static string Run(PythonWhisperFixture python, IEnumerable<InteropCase> cases)
        {
            var list = cases.ToList();
            using (var root = new TempDir())
            {
                string csRoot = root.File("cs"), pyRoot = root.File("py");
                var csResults = new List<JsonObject[]>();
                var script = new JsonArray();
                foreach (var c in list)
                {
                    string name = "case" + c.Seed.ToString(CultureInfo.InvariantCulture);
                    string csDir = Path.Combine(csRoot, name), pyDir = Path.Combine(pyRoot, name);
                    Directory.CreateDirectory(csDir);
                    Directory.CreateDirectory(pyDir);
                    var results = new JsonObject[c.Ops.Count];
                    for (int i = 0; i < c.Ops.Count; i++)
                        if (!Ops.IsOther(c.Ops[i])) results[i] = Ops.Run(c.Ops[i], csDir, pyDir);
                    csResults.Add(results);
                    // Paths in the script are per case: the file names are relative to the case's folders.
                    var ops = new JsonArray();
                    foreach (var op in c.Ops)
                    {
                        var copy = (JsonObject)op.DeepClone();
                        copy["file"] = Path.Combine(name, (string)op["file"]);
                        if (op["source"] != null) copy["source"] = Path.Combine(name, (string)op["source"]);
                        ops.Add(copy);
                    }
                    script.Add(new JsonObject { ["seed"] = c.Seed, ["ops"] = ops });
                }

                string scriptPath = root.File("script.json"), resultPath = root.File("result.json");
                File.WriteAllText(scriptPath, new JsonObject { ["dir"] = pyRoot, ["otherDir"] = csRoot, ["cases"] = script }.ToJsonString());
                python.RunDriver(scriptPath, resultPath);
                var pyCases = JsonNode.Parse(File.ReadAllText(resultPath))["cases"].AsArray();
                if (pyCases.Count != list.Count) throw new XunitException("driver.py answered " + pyCases.Count + " cases of " + list.Count);

                var failures = new StringBuilder();
                int failed = 0, opCount = 0, errors = 0, values = 0, writes = 0;
                for (int k = 0; k < list.Count; k++)
                {
                    var c = list[k];
                    string name = "case" + c.Seed.ToString(CultureInfo.InvariantCulture);
                    string csDir = Path.Combine(csRoot, name), pyDir = Path.Combine(pyRoot, name);
                    var py = pyCases[k]["results"].AsArray();
                    var cs = csResults[k];
                    // The engine reads Python's files now that they exist.
                    for (int i = 0; i < c.Ops.Count; i++)
                        if (Ops.IsOther(c.Ops[i])) cs[i] = Ops.Run(c.Ops[i], csDir, pyDir);

                    foreach (var r in cs)
                    {
                        opCount++;
                        if (r["error"] != null) errors++;
                        if (r["sha"] != null) writes++;
                        if (r["values"] != null) values += r["values"].AsArray().Count(v => v != null);
                    }
                    string diff = FirstDifference(c, cs, py);
                    if (diff == null) diff = FileDifference(csDir, pyDir);
                    else if (diff.EndsWith("file bytes differ after this op", StringComparison.Ordinal))
                        diff += " (at the end of the case: " + (FileDifference(csDir, pyDir) ?? "same bytes") + ")";
                    if (diff != null)
                    {
                        failed++;
                        if (failed <= 5)
                            failures.AppendLine("seed " + c.Seed + " (replay: " + SeedVariable + "=" + c.Seed + "): " + diff);
                    }
                }
                if (failed > 0)
                    throw new XunitException(failed + " of " + list.Count + " interop cases differ from python3-whisper:\n" + failures);
                return list.Count + " cases, " + opCount + " ops (" + writes + " writes, " + errors + " refused alike), " +
                       values + " non-null values compared";
            }
        }

        private static string FirstDifference(InteropCase c, JsonObject[] cs, JsonArray py)
        {
            for (int i = 0; i < c.Ops.Count; i++)
            {
                var op = c.Ops[i];
                var p = (JsonObject)py[i];
                string d;
                if (Ops.IsOther(op))
                {
                    // op i-1 is the same read of each side's own file: a cross-read must equal the owner's read.
                    d = Ops.Difference(cs[i - 1], p);
                    if (d != null) d = "python reading the C# file differs from C# reading it: " + d;
                    else
                    {
                        d = Ops.Difference(cs[i], (JsonObject)py[i - 1]);
                        if (d != null) d = "C# reading the python file differs from python reading it: " + d;
                    }
                }
                else
                {
                    d = Ops.Difference(cs[i], p);
                }
                if (d != null) return "op " + i + " " + Describe(op) + ": " + d;
            }
            return null;
        }

        private static string FileDifference(string csDir, string pyDir)
        {
            foreach (var pyFile in Directory.GetFiles(pyDir).OrderBy(f => f, StringComparer.Ordinal))
            {
                string csFile = Path.Combine(csDir, Path.GetFileName(pyFile));
                if (!File.Exists(csFile)) return Path.GetFileName(pyFile) + " exists only on the python side";
                var a = File.ReadAllBytes(pyFile);
                var b = File.ReadAllBytes(csFile);
                int n = Math.Min(a.Length, b.Length);
                for (int i = 0; i < n; i++)
                    if (a[i] != b[i]) return Path.GetFileName(pyFile) + " differs first at byte " + i;
                if (a.Length != b.Length) return Path.GetFileName(pyFile) + " is " + a.Length + " bytes from python, " + b.Length + " from C#";
            }
            if (Directory.GetFiles(csDir).Length != Directory.GetFiles(pyDir).Length) return "the C# side made other files: " +
                string.Join(", ", Directory.GetFiles(csDir).Select(Path.GetFileName));
            return null;
        }

        private static string Describe(JsonObject op)
        {
            string s = op.ToJsonString();
            return s.Length > 400 ? s.Substring(0, 400) + "...}" : s;
        }
    }
}
