using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using WhisperPS.Engine.Tests.Support;
using Xunit;

namespace WhisperPS.Engine.Tests.Carbon
{
    /// <summary>
    /// carbon's own router (Debian graphite-carbon, imported from Python) and carbon-c-relay in test mode (-t, no
    /// daemon, nothing listens): the placements our ring must reproduce. Installs both packages when missing.
    /// </summary>
    internal static class CarbonReference
    {
        public const string CRelay = "/usr/bin/carbon-c-relay";

        private static readonly object Gate = new object();
        private static bool _installed;

        public static void EnsureInstalled()
        {
            lock (Gate)
            {
                if (_installed) return;
                bool carbon = File.Exists("/usr/lib/python3/dist-packages/carbon/routers.py");
                if (!carbon || !File.Exists(CRelay))
                {
                    // Root on a Debian machine, here and in CI; a failed install fails the test with apt's output.
                    var r = PythonWhisperFixture.Run("/bin/sh", "-c \"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq graphite-carbon carbon-c-relay\"",
                        null, TimeSpan.FromMinutes(15));
                    Assert.True(r.ExitCode == 0, "installing graphite-carbon and carbon-c-relay failed: " + r.StdErr);
                }
                Assert.True(File.Exists("/usr/lib/python3/dist-packages/carbon/routers.py"), "graphite-carbon is not installed");
                Assert.True(File.Exists(CRelay), "carbon-c-relay is not installed");
                _installed = true;
            }
        }

        public sealed class Case
        {
            public string[] Dests;
            public string Hash;
            public int Rf;
            public bool Diverse;
        }

        /// <summary>carbon.routers.ConsistentHashingRouter's destinations for every name in every case.</summary>
        public static List<List<string[]>> PythonPlacements(IList<Case> cases, IList<string> names)
        {
            EnsureInstalled();
            string spec = JsonSerializer.Serialize(new
            {
                names,
                cases = cases.Select(c => new { dests = c.Dests, hash = c.Hash, rf = c.Rf, diverse = c.Diverse }),
            });
            string script = Path.Combine(AppContext.BaseDirectory, "Carbon", "carbon_router.py");
            var r = RunUtf8("/usr/bin/python3", new[] { script }, spec, TimeSpan.FromMinutes(10));
            Assert.True(r.exit == 0, "carbon_router.py failed: " + r.stderr);
            return JsonSerializer.Deserialize<List<List<string[]>>>(r.stdout);
        }

        /// <summary>
        /// carbon-c-relay -t on a one-cluster config: the servers (ip:port as it prints them) each name is sent to.
        /// </summary>
        public static Dictionary<string, string[]> CRelayPlacements(string clusterBlock, IList<string> names, string workDir)
        {
            EnsureInstalled();
            string conf = Path.Combine(workDir, "relay-" + Guid.NewGuid().ToString("N") + ".conf");
            File.WriteAllText(conf, clusterBlock + "\nmatch * send to c stop;\n");
            var input = new StringBuilder();
            foreach (var n in names) input.Append(n).Append(" 1 1\n");
            var r = RunUtf8(CRelay, new[] { "-t", "-f", conf }, input.ToString(), TimeSpan.FromMinutes(5));
            Assert.True(r.stdout.Contains("match"), "carbon-c-relay -t did not route (exit " + r.exit + "):\n" + r.stdout + r.stderr);
            var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
            string current = null;
            List<string> servers = null;
            foreach (string raw in r.stdout.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                string t = line.Trim();
                if (t.StartsWith("* -> ", StringComparison.Ordinal))
                {
                    current = t.Substring(5);
                    servers = new List<string>();
                }
                else if (current != null && t == "stop")
                {
                    result[current] = servers.ToArray();
                    current = null;
                }
                else if (current != null && line.StartsWith("        ", StringComparison.Ordinal))
                {
                    servers.Add(t);
                }
            }
            return result;
        }

        private static (int exit, string stdout, string stderr) RunUtf8(string file, string[] args, string stdin, TimeSpan timeout)
        {
            Needs.LinuxProgram(file);
            var psi = new ProcessStartInfo(file)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = new UTF8Encoding(false),
                StandardErrorEncoding = new UTF8Encoding(false),
                StandardInputEncoding = new UTF8Encoding(false),
            };
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["PYTHONIOENCODING"] = "utf-8";
            using (var p = Process.Start(psi))
            {
                var o = p.StandardOutput.ReadToEndAsync();
                var e = p.StandardError.ReadToEndAsync();
                p.StandardInput.Write(stdin);
                p.StandardInput.Close();
                if (!p.WaitForExit((int)timeout.TotalMilliseconds))
                {
                    p.Kill(true);
                    Assert.Fail(file + " timed out");
                }
                p.WaitForExit();
                return (p.ExitCode, o.Result, e.Result);
            }
        }
    }
}
