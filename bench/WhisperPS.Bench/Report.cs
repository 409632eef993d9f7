using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace WhisperPS.Bench
{
    /// <summary>Renders the results as markdown tables and collects the machine description.</summary>
    internal static class Report
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static JsonObject Machine(string python)
        {
            string cpu = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
            string os = File.Exists("/etc/os-release")
                ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Substring(12).Trim('"')
                : RuntimeInformation.OSDescription;
            return new JsonObject
            {
                ["nproc"] = Run("nproc", "").Trim(),
                ["free_h"] = Run("free", "-h").TrimEnd(),
                ["cpu"] = cpu ?? RuntimeInformation.ProcessArchitecture.ToString(),
                ["os"] = os,
                ["kernel"] = Run("uname", "-r").Trim(),
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
                ["dotnet_sdk"] = Run("dotnet", "--version").Trim(),
                ["python"] = Run(python, "--version").Trim(),
                ["python3_whisper"] = Run("dpkg-query", "-W -f=${Version} python3-whisper").Trim(),
                ["filesystem"] = Run("df", "-T " + Path.GetTempPath()).Split('\n').Skip(1).FirstOrDefault()?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1),
            };
        }

        private static string Run(string exe, string args)
        {
            try
            {
                var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                using (var p = Process.Start(psi))
                {
                    string s = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                    p.WaitForExit();
                    return s;
                }
            }
            catch (Exception e) { return "(" + e.Message + ")"; }
        }

        private static string Ms(double seconds)
        {
            double ms = seconds * 1000;
            return ms >= 100 ? ms.ToString("F0", Inv) : ms >= 10 ? ms.ToString("F1", Inv) : ms >= 1 ? ms.ToString("F2", Inv) : ms.ToString("F3", Inv);
        }

        public static string EngineTable(JsonObject engine)
        {
            var sb = new StringBuilder();
            sb.AppendLine("| Workload | python3-whisper (median) | WhisperPS (median) | Ratio | Target | Met | Bytes identical |");
            sb.AppendLine("|---|---:|---:|---:|---:|:---:|:---:|");
            foreach (var w in engine["workloads"].AsArray())
            {
                double? target = (double?)w["target_ratio"];
                bool? met = (bool?)w["target_met"];
                sb.AppendLine("| " + (string)w["name"] + " | " + Ms((double)w["python_median"]) + " ms | " + Ms((double)w["whisperps_median"]) +
                    " ms | **" + ((double)w["ratio"]).ToString("F1", Inv) + "×** | " +
                    (target.HasValue ? "≥ " + target.Value.ToString("0.#", Inv) + "×" : "–") + " | " +
                    (met.HasValue ? (met.Value ? "yes" : "**no**") : "–") + " | " + ((bool)w["identical"] ? "yes" : "**NO**") + " |");
            }
            return sb.ToString();
        }

        public static string CmdletTable(JsonObject cmdlets)
        {
            var sb = new StringBuilder();
            sb.AppendLine("| Workload | WhisperPS (median) | Compared with | Its median | Figure | Target | Met |");
            sb.AppendLine("|---|---:|---|---:|---|---|:---:|");
            foreach (var w in cmdlets["workloads"].AsArray())
            {
                bool? met = (bool?)w["met"];
                sb.AppendLine("| " + Cell((string)w["name"]) + " | " + Ms((double)w["ours_median"]) + " ms | " + Cell((string)w["baseline"]) + " | " +
                    Ms((double)w["baseline_median"]) + " ms | " + (string)w["figure"] + " | " + ((string)w["target"] ?? "–") + " | " +
                    (met.HasValue ? (met.Value ? "yes" : "**no**") : "–") + " |");
            }
            return sb.ToString();
        }

        // The memory claims of issue 5, from the numbers the runs recorded.
        private static string MemorySection(JsonObject engine, JsonObject cmdlets)
        {
            var sb = new StringBuilder();
            sb.AppendLine("## Memory");
            sb.AppendLine();
            foreach (var w in engine["workloads"].AsArray())
                if (w["whisperps_allocated_bytes"] != null)
                    sb.AppendLine("- `" + (string)w["name"] + "`: one fetch, open and close included, allocates " +
                        ((long)w["whisperps_allocated_bytes"]).ToString("N0", Inv) + " bytes: the result (9 bytes a slot, in chunks below the " +
                        "large-object heap) plus about 1.5 KB for the open file and its header; the read buffer is reused.");
            var mem = cmdlets?["memory"] as JsonObject;
            if (mem?["add_whisperpoint_live_heap_growth_bytes_sampled"] != null)
                sb.AppendLine("- Import-Csv of 100,000 rows \\| Add-WhisperPoint -BatchSize 10,000: GC heap growth at most " +
                    Size((long)mem["add_whisperpoint_live_heap_growth_bytes_sampled"]) + " (" +
                    (string)mem["note"] + ").");
            if (mem?["get_whisperseries_streaming"] is JsonArray streaming)
            {
                sb.Append("- Get-WhisperSeries streams: live heap growth peaked at ");
                sb.Append(string.Join(" and ", streaming.Select(x => Size((long)x["live_heap_growth_peak_bytes"]) + " for " + (long)x["files"] + " files (" + ((long)x["points"]).ToString("N0", Inv) + " points)")));
                sb.AppendLine(" (" + (string)mem["get_whisperseries_note"] + ").");
            }
            sb.AppendLine();
            return sb.ToString();
        }

        private static string Size(long bytes) =>
            bytes >= 1048576 ? (bytes / 1048576.0).ToString("F1", Inv) + " MB" : (bytes / 1024.0).ToString("F1", Inv) + " KB";

        // A pipe inside a table cell ends the cell unless escaped.
        private static string Cell(string s) => (s ?? "").Replace("|", "\\|");

        public static string Markdown(JsonObject all)
        {
            var m = all["machine"].AsObject();
            var engine = all["engine"].AsObject();
            var sb = new StringBuilder();
            sb.AppendLine("# WhisperPS benchmark results");
            sb.AppendLine();
            sb.AppendLine("Generated by `dotnet pwsh ./build.ps1 Bench` on " + (string)all["generated_utc"] + ". Raw numbers, every run of every " +
                "workload, are in [results.json](results.json).");
            sb.AppendLine();
            sb.AppendLine("## Machine");
            sb.AppendLine();
            sb.AppendLine("- CPU: " + (string)m["cpu"] + "; `nproc`: " + (string)m["nproc"]);
            sb.AppendLine("- OS: " + (string)m["os"] + ", kernel " + (string)m["kernel"] + "; files on " + ((string)m["filesystem"] ?? "?") + " (warm page cache)");
            sb.AppendLine("- .NET: " + (string)m["dotnet"] + " (SDK " + (string)m["dotnet_sdk"] + "); " + (string)m["python"] + ", python3-whisper " + (string)m["python3_whisper"]);
            if (all["cmdlets"] is JsonObject c0 && c0["pwsh"] != null) sb.AppendLine("- PowerShell: " + (string)c0["pwsh"]);
            sb.AppendLine("- `free -h`:");
            sb.AppendLine();
            sb.AppendLine("```");
            sb.AppendLine((string)m["free_h"]);
            sb.AppendLine("```");
            sb.AppendLine();
            sb.AppendLine("## How it was measured");
            sb.AppendLine();
            sb.AppendLine("- Both implementations run in the same benchmark run, interleaved: for each run, fresh copies of the same input files " +
                "are made, then python and WhisperPS each do the workload (alternating which goes first), with the same `now` (" + (long)engine["now"] + ").");
            sb.AppendLine("- python: one long-lived `/usr/bin/python3` driver (`bench/whisper_driver.py`) times each workload in-process with " +
                "`time.perf_counter`, so interpreter start-up is not counted. WhisperPS: the release-build bench (`bench/WhisperPS.Bench`) " +
                "times the same calls in-process with `Stopwatch`.");
            sb.AppendLine("- Each side does one untimed warm-up run, then " + (long)engine["runs"] + " timed runs; the table shows medians. " +
                "Ratio = python median / WhisperPS median (higher is better for WhisperPS).");
            sb.AppendLine("- Every run checks the outputs: written files are compared byte for byte with python's, fetch results by a " +
                "SHA-256 of the values (\"Bytes identical\").");
            sb.AppendLine("- Each call opens the file as python's path-taking API does (`update_many(path, ...)`, `fetch(path, ...)`), " +
                "so open + header read + lock + close are counted on both sides. WhisperPS takes an flock (python's LOCK is off by default).");
            sb.AppendLine("- **Noise:** the machine is a " + (string)m["nproc"] + "-core VM on a shared host. Medians over interleaved runs " +
                "limit the damage, but whole runs still differ: on 2026-11-25, with nothing else running, python's own medians for the same " +
                "workload moved by up to 2x between consecutive runs (fetch-1y 33 ms and 96 ms), so a ratio from one run can be off by that much.");
            sb.AppendLine();
            sb.AppendLine("## Engine workloads (schema `10s:1d,1m:7d,10m:1y`, average, xFilesFactor 0.5)");
            sb.AppendLine();
            sb.Append(EngineTable(engine));
            sb.AppendLine();
            foreach (var w in engine["workloads"].AsArray())
            {
                sb.Append("- `" + (string)w["name"] + "`: " + (string)w["description"]);
                if (w["whisperps_allocated_bytes"] != null) sb.Append("; WhisperPS allocates " + ((long)w["whisperps_allocated_bytes"]).ToString("N0", Inv) + " bytes per fetch (open included)");
                if (w["notes"] != null) sb.Append(". " + (string)w["notes"]);
                if (w["syscall_floor_median"] != null)
                    sb.Append(". The same updates as bare system calls (" + (long)w["syscall_floor_calls_per_operation"] + " per update, nothing " +
                        "between them) take " + Ms((double)w["syscall_floor_median"]) + " ms (median): python / floor = " +
                        ((double)w["ratio_at_floor"]).ToString("F1", Inv) + "×, the most any implementation making these calls could reach on this " +
                        "machine; WhisperPS takes " + ((double)w["whisperps_median"] / (double)w["syscall_floor_median"]).ToString("F2", Inv) + "× the floor. " +
                        "Leaving out the flock and the length check (" + (long)w["unsafe_floor_calls_per_operation"] + " calls, neither locking nor " +
                        "detecting a truncated file) the floor is " + Ms((double)w["unsafe_floor_median"]) + " ms: python / floor = " +
                        ((double)w["ratio_at_unsafe_floor"]).ToString("F1", Inv) + "×");
                if (!(bool)w["identical"]) sb.Append(". **Mismatch:** " + (string)w["mismatch"]);
                sb.AppendLine(".");
            }
            sb.AppendLine();
            sb.AppendLine("## Cmdlet workloads");
            sb.AppendLine();
            if (all["cmdlets"] is JsonObject c)
            {
                if (c["skipped"] != null)
                {
                    sb.AppendLine("Not run: " + (string)c["skipped"]);
                }
                else
                {
                    sb.AppendLine("Measured in one pwsh process with `Measure-Command` (medians of " + (long)c["runs"] + " runs after a warm-up). " +
                        "The whisper CLI tools are separate processes, so for them process start-up (python's and, where noted, pwsh's) is part of the cost and is reported as such.");
                    sb.AppendLine();
                    sb.Append(CmdletTable(c));
                    sb.AppendLine();
                    foreach (var w in c["workloads"].AsArray())
                        sb.AppendLine("- " + Cell((string)w["name"]) + ": " + (string)w["description"] + ".");
                }
            }
            else
            {
                sb.AppendLine("Not run in this benchmark run.");
            }
            sb.AppendLine();
            sb.Append(MemorySection(engine, all["cmdlets"] as JsonObject));
            sb.AppendLine("## Notes");
            sb.AppendLine();
            sb.AppendLine("- **Fetch** reads the range in 256 KB pieces (one read for a day of 10-second slots; a wrapped range is two pieces) and " +
                "decodes each piece straight into the result, which keeps each slot's value and presence in 64 KB chunks (9 bytes a slot) so that " +
                "no fetch allocates on .NET's large-object heap. The decode loop works a chunk at a time and swaps byte order with " +
                "`IPAddress.NetworkToHostOrder`, which .NET compiles to one `movbe` load per field; before that, a per-slot call through two chunk " +
                "lookups and an out-of-line byte swap made decoding most of a fetch's time (`WhisperPS.Bench micro`, file kept open: 1 day " +
                "59 -> 18 us, 1 year 352 -> 90 us on this machine).");
            sb.AppendLine("- **Single updates** are system-call bound. Each `update()` with its open and close is 12 system calls for WhisperPS " +
                "(open, flock, lseek, one header read that also yields the first archive's anchor, then per archive a write, and per propagation " +
                "one window read and one anchor read, close); python makes about 25 (strace over 1,000 updates: 24.9 each, no lock). On this " +
                "paravirtualised VM a system call costs over 1 us even for getppid, so the kernel side is most of both sides' time. The bench " +
                "therefore also times the 12 bare calls for the same 10,000 updates (`SyscallFloor`): python's median divided by that floor is " +
                "the best ratio any implementation making those calls could reach here.");
            sb.AppendLine("- The bench exe runs with tiered compilation off, so the timed runs measure optimised code rather than the JIT's first tier " +
                "after only one warm-up; PowerShell runs the module with the runtime's defaults.");
            if (all["notes"] is JsonNode notes) { sb.AppendLine(); sb.AppendLine((string)notes); }
            return sb.ToString();
        }
    }
}
