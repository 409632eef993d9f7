using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WhisperPS.Bench
{
    /// <summary>One long-lived python3 process running bench/whisper_driver.py: a JSON request per line, a JSON
    /// answer per line. Python times itself with perf_counter, so pipe latency is never counted.</summary>
    internal sealed class PythonDriver : IDisposable
    {
        private readonly Process _process;

        public PythonDriver(string python, string script)
        {
            var psi = new ProcessStartInfo(python)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(script);
            _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + python);
            var hello = Call(new JsonObject { ["op"] = "hello" });
            PythonVersion = (string)hello["python"];
            WhisperFile = (string)hello["whisper_file"];
        }

        public string PythonVersion { get; }
        public string WhisperFile { get; }

        public JsonObject Call(JsonObject request)
        {
            _process.StandardInput.WriteLine(request.ToJsonString());
            _process.StandardInput.Flush();
            string line = _process.StandardOutput.ReadLine();
            if (line == null) throw new InvalidOperationException("python driver exited");
            var resp = JsonNode.Parse(line).AsObject();
            if (!(bool)resp["ok"]) throw new InvalidOperationException("python: " + (string)resp["error"]);
            return resp;
        }

        /// <summary>Runs a timed workload; returns python's own measurement and its result.</summary>
        public (double Seconds, JsonNode Result) Timed(JsonObject request)
        {
            var resp = Call(request);
            return ((double)resp["seconds"], resp["result"]);
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000)) _process.Kill();
            }
            catch (Exception) { /* shutting down */ }
            _process.Dispose();
        }
    }
}
