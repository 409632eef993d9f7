using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Xunit;

namespace WhisperPS.Engine.Tests.Support
{
    /// <summary>
    /// python3-whisper 1.1.4, the reference implementation, ready to run. Installed with apt-get when missing
    /// (once per test run); if that is impossible every test that needs it fails with the reason: interop is
    /// part of what the suite proves, so it is never skipped.
    /// </summary>
    public sealed class PythonWhisperFixture
    {
        public const string Python = "/usr/bin/python3";
        public const string ExpectedVersion = "1.1.4";

        public PythonWhisperFixture()
        {
            // The Windows stage (under Wine) runs only the tests of these classes that need no python; those that do
            // carry Needs=python, and Run refuses a Linux program there rather than hang on it.
            if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)) return;
            string version = InstalledVersion(out string why);
            if (version == null)
            {
                var log = new StringBuilder();
                var update = Run("apt-get", "update", null, TimeSpan.FromMinutes(5));
                log.AppendLine("apt-get update: exit " + update.ExitCode + "\n" + update.StdErr);
                var install = Run("apt-get", "install -y -o DPkg::Lock::Timeout=300 python3-whisper", null, TimeSpan.FromMinutes(10));
                log.AppendLine("apt-get install python3-whisper: exit " + install.ExitCode + "\n" + install.StdErr);
                version = InstalledVersion(out why);
                if (version == null)
                    throw new InvalidOperationException("python3-whisper is needed for the interop tests and could not be " +
                        "installed (run as root: apt-get update && apt-get install -y python3-whisper). " + why + "\n" + log);
            }
            if (version != ExpectedVersion)
                throw new InvalidOperationException("The interop tests compare against whisper " + ExpectedVersion +
                    " (Debian python3-whisper) but " + Python + " imports whisper " + version + ".");
            Version = version;
        }

        public string Version { get; }

        /// <summary>The op-script driver copied beside the test assembly.</summary>
        public static string DriverPath => Path.Combine(AppContext.BaseDirectory, "Interop", "driver.py");

        /// <summary>Runs a Python program (given as text) with whisper importable; fails the test on a non-zero exit.</summary>
        public string RunCode(string code, string stdin = null)
        {
            string file = Path.Combine(Path.GetTempPath(), "whisperps-py-" + Guid.NewGuid().ToString("N") + ".py");
            File.WriteAllText(file, code);
            try
            {
                var r = Run(Python, "\"" + file + "\"", stdin, TimeSpan.FromMinutes(2));
                if (r.ExitCode != 0) throw new Xunit.Sdk.XunitException("python failed (exit " + r.ExitCode + "):\n" + r.StdErr);
                return r.StdOut;
            }
            finally
            {
                File.Delete(file);
            }
        }

        /// <summary>Runs driver.py on a script file, writing its results to another.</summary>
        public void RunDriver(string scriptPath, string resultPath)
        {
            var r = Run(Python, "\"" + DriverPath + "\" \"" + scriptPath + "\" \"" + resultPath + "\"", null, TimeSpan.FromMinutes(3));
            if (r.ExitCode != 0) throw new Xunit.Sdk.XunitException("driver.py failed (exit " + r.ExitCode + "):\n" + r.StdErr);
        }

        private static string InstalledVersion(out string why)
        {
            why = null;
            if (!File.Exists(Python))
            {
                why = Python + " does not exist.";
                return null;
            }
            var r = Run(Python, "-c \"import whisper, importlib.metadata as m; print(m.version('whisper'))\"", null, TimeSpan.FromMinutes(1));
            if (r.ExitCode != 0)
            {
                why = "import whisper failed: " + r.StdErr.Trim();
                return null;
            }
            return r.StdOut.Trim();
        }

        public sealed class Result
        {
            public int ExitCode;
            public string StdOut;
            public string StdErr;
        }

        public static Result Run(string file, string args, string stdin, TimeSpan timeout)
        {
            Needs.LinuxProgram(file);
            var psi = new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            Process p;
            try
            {
                p = Process.Start(psi);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                return new Result { ExitCode = -1, StdOut = "", StdErr = "cannot start " + file + ": " + e.Message };
            }
            using (p)
            {
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                if (stdin != null) p.StandardInput.Write(stdin);
                p.StandardInput.Close();
                if (!p.WaitForExit((int)timeout.TotalMilliseconds))
                {
                    try { p.Kill(true); } catch (InvalidOperationException) { }
                    return new Result { ExitCode = -1, StdOut = stdout.Result, StdErr = file + " timed out after " + timeout };
                }
                p.WaitForExit();
                return new Result { ExitCode = p.ExitCode, StdOut = stdout.Result, StdErr = stderr.Result };
            }
        }
    }

    /// <summary>Tests that run python share one fixture and run one after another (the machine has 2 cores).</summary>
    [CollectionDefinition(Name)]
    public sealed class PythonCollection : ICollectionFixture<PythonWhisperFixture>
    {
        public const string Name = "python3-whisper";
    }
}
