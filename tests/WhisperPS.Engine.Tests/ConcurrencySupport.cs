using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using Xunit;

namespace WhisperPS.Engine.Tests
{
    /// <summary>Starts tests/WhisperPS.Stress as a separate process (a real writer, reader or kill victim).</summary>
    internal sealed class StressProcess : IDisposable
    {
        private readonly Process _p;
        private readonly StringBuilder _stdout = new StringBuilder();
        private readonly StringBuilder _stderr = new StringBuilder();
        private readonly ManualResetEventSlim _ready = new ManualResetEventSlim();

        private StressProcess(Process p)
        {
            _p = p;
        }

        /// <summary>Where the helper is, when not beside this project's output: the Windows stage points it at a
        /// self-contained WhisperPS.Stress.exe, which runs without a dotnet host.</summary>
        public const string PathVariable = "WHISPERPS_STRESS";

        public static string DllPath
        {
            get
            {
                if (Environment.GetEnvironmentVariable(PathVariable) is string given && given.Length > 0)
                {
                    Assert.True(File.Exists(given), PathVariable + " names no file: " + given);
                    return given;
                }
                // tests/WhisperPS.Engine.Tests/bin/<Configuration>/net10.0 -> tests/WhisperPS.Stress/bin/<Configuration>/net10.0
                var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
                string framework = here.Name, configuration = here.Parent.Name;
                string tests = here.Parent.Parent.Parent.Parent.FullName;
                string dll = Path.Combine(tests, "WhisperPS.Stress", "bin", configuration, framework, "WhisperPS.Stress.dll");
                Assert.True(File.Exists(dll), "the stress helper is not built: " + dll);
                return dll;
            }
        }

        public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is string h && File.Exists(h) ? h : "dotnet";

        /// <summary>Starts the helper; <paramref name="prefix"/> (e.g. setpriv and its options) runs it under other privileges.</summary>
        public static StressProcess Start(IEnumerable<string> args, IEnumerable<string> prefix = null, IDictionary<string, string> environment = null)
        {
            var all = new List<string>();
            string helper = DllPath;
            // A .exe (the Windows stage's self-contained helper) starts by itself; a .dll through the dotnet host.
            var host = helper.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? new string[0] : new[] { DotnetHost };
            var command = (prefix ?? Enumerable.Empty<string>()).Concat(host).Concat(new[] { helper }).ToList();
            string exe = command[0];
            all.AddRange(command.Skip(1));
            all.AddRange(args);
            var psi = new ProcessStartInfo(exe)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = false,
            };
            foreach (var a in all) psi.ArgumentList.Add(a);
            if (environment != null) foreach (var kv in environment) psi.Environment[kv.Key] = kv.Value;
            var p = new Process { StartInfo = psi };
            var s = new StressProcess(p);
            p.OutputDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                lock (s._stdout) s._stdout.AppendLine(e.Data);
                if (e.Data == "ready") s._ready.Set();
            };
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data != null) lock (s._stderr) s._stderr.AppendLine(e.Data);
            };
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            return s;
        }

        public int Id => _p.Id;

        public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

        public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

        public bool WaitReady(TimeSpan timeout) => WaitHandle.WaitAny(new[] { _ready.WaitHandle }, timeout) == 0 || _ready.IsSet;

        /// <summary>Waits for exit; kills the process and returns null if it overruns.</summary>
        public int? WaitExit(TimeSpan timeout)
        {
            if (!_p.WaitForExit((int)timeout.TotalMilliseconds))
            {
                Kill();
                return null;
            }
            // Flushes the redirected output; bounded, since under Wine the end of a dead child's pipe was seen to
            // never arrive.
            System.Threading.Tasks.Task.Run(() => _p.WaitForExit()).Wait(TimeSpan.FromSeconds(30));
            return _p.ExitCode;
        }

        public bool HasExited => _p.HasExited;

        /// <summary>SIGKILL: no finally blocks, no flushing, exactly like a crash or the OOM killer.</summary>
        public void Kill()
        {
            try
            {
                // The helper starts no children; on Windows the whole-tree kill also reads process start times, which
                // Wine reports as invalid FILETIMEs.
                if (!_p.HasExited) _p.Kill(!OperatingSystem.IsWindows());
            }
            catch (InvalidOperationException) { /* already gone */ }
            _p.WaitForExit(10000);
        }

        public void Dispose()
        {
            Kill();
            _p.Dispose();
        }
    }

    /// <summary>Checks every slot of a file written with value = timestamp + 0.5 (archive 0) and averages of such
    /// values in coarser archives: a slot is empty or one complete point, never a mix of two writes.</summary>
    internal static class SlotCheck
    {
        public sealed class Report
        {
            public int Filled;
            public int Empty;
            public readonly List<string> Problems = new List<string>();
            public readonly Dictionary<int, SortedDictionary<long, int>> GenerationsByArchive = new Dictionary<int, SortedDictionary<long, int>>();
        }

        /// <param name="generationOf">maps a slot timestamp to the batch that wrote it, for the report</param>
        public static Report Check(byte[] bytes, WhisperHeader header, Func<long, long> generationOf = null)
        {
            var r = new Report();
            for (int k = 0; k < header.Archives.Count; k++)
            {
                var a = header.Archives[k];
                var gens = new SortedDictionary<long, int>();
                r.GenerationsByArchive[k] = gens;
                long baseTs = BigEndian.ReadUInt32(bytes, (int)a.Offset);
                for (int i = 0; i < a.Points; i++)
                {
                    int p = (int)(a.Offset + i * Point.Size);
                    long ts = BigEndian.ReadUInt32(bytes, p);
                    double v = BigEndian.ReadDouble(bytes, p + 4);
                    if (ts == 0)
                    {
                        if (v != 0 || BitConverter.DoubleToInt64Bits(v) != 0) r.Problems.Add("archive " + k + " slot " + i + ": empty timestamp with value " + v);
                        else r.Empty++;
                        continue;
                    }
                    r.Filled++;
                    string where = "archive " + k + " slot " + i + " (ts " + ts + ", value " + v.ToString("R") + ")";
                    if (ts % a.SecondsPerPoint != 0) r.Problems.Add(where + ": timestamp not aligned to " + a.SecondsPerPoint);
                    long expectedSlot = PyMathMod((ts - baseTs) / a.SecondsPerPoint, a.Points);
                    if (expectedSlot != i) r.Problems.Add(where + ": belongs in slot " + expectedSlot);
                    bool valueOk = k == 0 || a.SecondsPerPoint == header.Archives[0].SecondsPerPoint
                        ? v == ts + 0.5
                        : v >= ts + 0.5 && v <= ts + a.SecondsPerPoint - 0.5;
                    if (!valueOk) r.Problems.Add(where + ": value was not written with this timestamp (torn point)");
                    if (generationOf != null)
                    {
                        long g = generationOf(ts);
                        gens[g] = gens.TryGetValue(g, out int c) ? c + 1 : 1;
                    }
                }
            }
            return r;
        }

        private static long PyMathMod(long a, long m) => ((a % m) + m) % m;
    }

    /// <summary>
    /// A real carbon-cache (Debian graphite-carbon) with its storage, logs and pid file in a scratch folder,
    /// listening on free 127.0.0.1 ports only. Installs the package if it is missing. Dispose kills it.
    /// </summary>
    internal sealed class CarbonCache : IDisposable
    {
        public const string Executable = "/usr/bin/carbon-cache";
        private Process _p;
        private readonly StringBuilder _log = new StringBuilder();

        public string Root { get; }
        public string DataDir => Path.Combine(Root, "storage", "whisper");
        public int LinePort { get; private set; }

        public CarbonCache(string root)
        {
            Root = root;
        }

        public static void EnsureInstalled()
        {
            if (File.Exists(Executable)) return;
            // We run as root on a Debian machine (here and in CI); a failed install fails the test.
            Run("/bin/sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphite-carbon");
            Assert.True(File.Exists(Executable), Executable + " is still missing after installing graphite-carbon");
        }

        public static string Run(string exe, params string[] args)
        {
            Needs.LinuxProgram(exe);
            var psi = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi))
            {
                var err = p.StandardError.ReadToEndAsync();
                string output = p.StandardOutput.ReadToEnd();
                Assert.True(p.WaitForExit(600_000), exe + " did not finish");
                Assert.True(p.ExitCode == 0, exe + " " + string.Join(" ", args) + " failed (" + p.ExitCode + "): " + output + err.Result);
                return output;
            }
        }

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        public static string TemplateDir
        {
            get
            {
                var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
                string dir = Path.Combine(here.Parent.Parent.Parent.Parent.FullName, "reliability");
                Assert.True(Directory.Exists(dir), "missing " + dir);
                return dir;
            }
        }

        public void Start(TimeSpan timeout)
        {
            EnsureInstalled();
            foreach (var d in new[] { "conf", "storage/whisper", "storage/lists", "log", "run" })
                Directory.CreateDirectory(Path.Combine(Root, d));
            LinePort = FreePort();
            int pickle = FreePort(), query = FreePort();
            string conf = File.ReadAllText(Path.Combine(TemplateDir, "carbon.conf.template"))
                .Replace("{ROOT}", Root).Replace("{LINE_PORT}", LinePort.ToString())
                .Replace("{PICKLE_PORT}", pickle.ToString()).Replace("{QUERY_PORT}", query.ToString());
            string confPath = Path.Combine(Root, "conf", "carbon.conf");
            File.WriteAllText(confPath, conf);
            foreach (var f in new[] { "storage-schemas.conf", "storage-aggregation.conf" })
                File.Copy(Path.Combine(TemplateDir, f), Path.Combine(Root, "conf", f));

            Needs.LinuxProgram(Executable);
            var psi = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--config=" + confPath, "--pidfile=" + Path.Combine(Root, "run", "carbon.pid"),
                         "--logdir=" + Path.Combine(Root, "log"), "--nodaemon", "start" })
                psi.ArgumentList.Add(a);
            // carbon is Python: unbuffered, so its log lines arrive when written, not when a pipe buffer fills.
            psi.Environment["PYTHONUNBUFFERED"] = "1";
            _p = new Process { StartInfo = psi };
            _p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
            _p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data); };
            _p.Start();
            _p.BeginOutputReadLine();
            _p.BeginErrorReadLine();

            // Ready when the line receiver accepts a connection.
            var sw = Stopwatch.StartNew();
            while (true)
            {
                Assert.False(_p.HasExited, "carbon-cache exited during start-up:\n" + Log);
                try
                {
                    using (var c = new TcpClient())
                    {
                        c.Connect(IPAddress.Loopback, LinePort);
                        break;
                    }
                }
                catch (SocketException)
                {
                    Assert.True(sw.Elapsed < timeout, "carbon-cache did not listen on 127.0.0.1:" + LinePort + " within " + timeout + ":\n" + Log);
                    Thread.Sleep(100);
                }
            }
        }

        public string Log { get { lock (_log) return _log.ToString(); } }

        /// <summary>Waits, up to <paramref name="timeout"/>, for carbon to log <paramref name="text"/>.</summary>
        public bool WaitForLog(string text, TimeSpan timeout)
        {
            var sw = Stopwatch.StartNew();
            while (!Log.Contains(text))
            {
                if (sw.Elapsed > timeout || _p.HasExited) return Log.Contains(text);
                Thread.Sleep(50);
            }
            return true;
        }

        /// <summary>Sends plaintext protocol lines to the line receiver on 127.0.0.1.</summary>
        public void Send(IEnumerable<string> lines)
        {
            using (var c = new TcpClient())
            {
                c.Connect(IPAddress.Loopback, LinePort);
                var bytes = Encoding.ASCII.GetBytes(string.Concat(lines.Select(l => l + "\n")));
                c.GetStream().Write(bytes, 0, bytes.Length);
                c.Client.Shutdown(SocketShutdown.Send);
            }
        }

        public bool IsRunning => _p != null && !_p.HasExited;

        public void Dispose()
        {
            if (_p == null) return;
            try
            {
                // The helper starts no children; on Windows the whole-tree kill also reads process start times, which
                // Wine reports as invalid FILETIMEs.
                if (!_p.HasExited) _p.Kill(!OperatingSystem.IsWindows());
                _p.WaitForExit(10000);
            }
            catch (InvalidOperationException) { }
            _p.Dispose();
            _p = null;
        }
    }
}
