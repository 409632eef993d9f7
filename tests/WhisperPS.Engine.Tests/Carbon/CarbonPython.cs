using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Xunit.Sdk;

namespace WhisperPS.Engine.Tests.Carbon
{
    /// <summary>Runs Python programs that import carbon 1.1.7's own modules (Debian graphite-carbon, installed
    /// by the test when missing). Data crosses as hex-encoded UTF-8 lines, so any name survives the trip.</summary>
    internal static class CarbonPython
    {
        public const string Python = "/usr/bin/python3";

        public static string Run(string code, string stdin, params string[] args)
        {
            Needs.LinuxProgram(Python);
            CarbonCache.EnsureInstalled();
            string file = Path.Combine(Path.GetTempPath(), "whisperps-carbon-" + Guid.NewGuid().ToString("N") + ".py");
            File.WriteAllText(file, code);
            try
            {
                var psi = new ProcessStartInfo(Python)
                {
                    UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
                };
                psi.ArgumentList.Add(file);
                foreach (var a in args) psi.ArgumentList.Add(a);
                using (var p = Process.Start(psi))
                {
                    var err = p.StandardError.ReadToEndAsync();
                    var output = p.StandardOutput.ReadToEndAsync();
                    p.StandardInput.Write(stdin ?? "");
                    p.StandardInput.Close();
                    if (!p.WaitForExit(300_000)) { p.Kill(true); throw new XunitException("python did not finish"); }
                    if (p.ExitCode != 0) throw new XunitException("python failed (exit " + p.ExitCode + "):\n" + err.Result);
                    return output.Result;
                }
            }
            finally { File.Delete(file); }
        }

        public static string Hex(string s) => Convert.ToHexString(new UTF8Encoding(false, false).GetBytes(s)).ToLowerInvariant();

        public static string Unhex(string h) => h.Length == 0 ? "" : Encoding.UTF8.GetString(Convert.FromHexString(h));

        public static string HexLines(System.Collections.Generic.IEnumerable<string> items) =>
            string.Concat(items.Select(s => Hex(s) + "\n"));
    }
}
