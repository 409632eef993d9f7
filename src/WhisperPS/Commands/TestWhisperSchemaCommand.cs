using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.Carbon;
using WhisperPS.Engine.IO;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Test-WhisperSchema: every whisper file under a carbon storage root whose archives, aggregation method or
    /// xFilesFactor (compared exactly, as the 32-bit float the header stores) differ from what carbon's storage
    /// configuration gives its metric today, with the expected values (whisper-auto-resize's audit, done exactly).
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "WhisperSchema")]
    [OutputType(typeof(WhisperSchemaMismatch))]
    public sealed class TestWhisperSchemaCommand : WhisperCmdlet
    {
        /// <summary>carbon's LOCAL_DATA_DIR (e.g. /var/lib/graphite/whisper).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string StorageRoot { get; set; }

        /// <summary>carbon's CONF_DIR, with storage-schemas.conf and storage-aggregation.conf.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string ConfigPath { get; set; }

        protected override void EndProcessing()
        {
            var config = CarbonConfiguration.Load(this, ConfigPath);
            string root = CarbonConfiguration.ResolveFolder(this, StorageRoot);
            if (!Directory.Exists(root))
                ThrowTerminatingError(WhisperErrors.Create(new DirectoryNotFoundException("The storage root '" + root + "' does not exist."),
                    ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, root));
            var progress = new ProgressRecord(1, "Test-WhisperSchema", "Checking " + root);
            int checkedFiles = 0, mismatches = 0, hashedTagged = 0;
            foreach (string file in EnumerateWhisperFiles(root))
            {
                ThrowIfStopping();
                if (++checkedFiles % 1000 == 0)
                {
                    progress.StatusDescription = checkedFiles + " files checked, " + mismatches + " differ";
                    WriteProgress(progress);
                }
                string metric = MetricPath.FromAbsolutePath(root, file);
                if (metric == null)
                {
                    // A tagged series stored by its hash: its name, and so its schema, is not in the path.
                    hashedTagged++;
                    WriteVerbose("Skipped '" + file + "': a tagged series stored by its hash; its metric name cannot be known from the path.");
                    continue;
                }
                WhisperHeader header;
                try
                {
                    using (var f = WhisperFile.Open(file, FileOpenMode.Read)) header = f.Header;
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file, FileAccessIntent.Read);
                    continue;
                }
                var expected = config.Resolve(metric);
                var differences = Compare(expected, header);
                if (differences.Count == 0) continue;
                mismatches++;
                WriteObject(new WhisperSchemaMismatch(file, metric, expected, header, differences.ToArray()));
            }
            if (hashedTagged > 0)
                WriteWarning(hashedTagged + " tagged series stored by their hash (_tagged/.../<sha256>.wsp) were not checked: their metric names " +
                             "cannot be known from their paths.");
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            WriteVerbose(checkedFiles + " whisper files checked under '" + root + "', " + mismatches + " differ from the configuration.");
        }

        internal static List<string> Compare(CarbonStorageDecision expected, WhisperHeader header)
        {
            var differences = new List<string>();
            bool sameArchives = expected.Archives.Count == header.Archives.Count;
            for (int i = 0; sameArchives && i < header.Archives.Count; i++)
                sameArchives = expected.Archives[i].Equals(header.Archives[i].Spec);
            if (!sameArchives) differences.Add("Retention");
            if (expected.AggregationMethod != header.AggregationMethod) differences.Add("AggregationMethod");
            // The header holds a float32: compare what carbon would store, bit for bit (0.501 is not 0.5).
            if (BitConverter.ToInt32(BitConverter.GetBytes((float)expected.XFilesFactor), 0) != BitConverter.ToInt32(BitConverter.GetBytes(header.XFilesFactor), 0))
                differences.Add("XFilesFactor");
            return differences;
        }

        // Files in a stable order (ordinal by path), folders included recursively; the order never depends on the
        // file system's listing order.
        private static IEnumerable<string> EnumerateWhisperFiles(string root)
        {
            var stack = new Stack<string>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                string dir = stack.Pop();
                var files = new List<string>(Directory.EnumerateFiles(dir, "*" + MetricPath.Extension));
                files.Sort(StringComparer.Ordinal);
                foreach (var f in files)
                    if (f.EndsWith(MetricPath.Extension, StringComparison.Ordinal)) yield return f;
                var dirs = new List<string>(Directory.EnumerateDirectories(dir));
                dirs.Sort(StringComparer.Ordinal);
                for (int i = dirs.Count - 1; i >= 0; i--)
                {
                    if ((File.GetAttributes(dirs[i]) & FileAttributes.ReparsePoint) != 0) continue; // no symlink loops
                    stack.Push(dirs[i]);
                }
            }
        }
    }
}
