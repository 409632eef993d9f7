using System.Collections.Generic;
using WhisperPS.Engine.Validation;

namespace WhisperPS
{
    /// <summary>One finding of Test-WhisperFile, with the file it is about (so -ExpandProperty Findings keeps it).</summary>
    public sealed class WhisperFileFinding
    {
        internal WhisperFileFinding(string path, WhisperFinding finding)
        {
            Path = path;
            Code = finding.Code;
            Severity = finding.Severity;
            Archive = finding.Archive;
            Slot = finding.Slot;
            Message = finding.Message;
        }

        public string Path { get; }

        /// <summary>Stable: scripts may match on it (see about_WhisperPS and Test-WhisperFile's help).</summary>
        public string Code { get; }

        public FindingSeverity Severity { get; }

        /// <summary>Archive index (0 the finest), when the finding concerns one archive.</summary>
        public int? Archive { get; }

        /// <summary>Slot index in the archive, in file order (Get-WhisperSlot's Index), when it concerns one slot.</summary>
        public long? Slot { get; }

        public string Message { get; }

        public override string ToString() => Code + ": " + Message;
    }

    /// <summary>What Test-WhisperFile found in one file. IsValid is false when any finding is an Error.</summary>
    public sealed class WhisperFileTest
    {
        internal WhisperFileTest(ValidationResult result)
        {
            Path = result.Path;
            Name = System.IO.Path.GetFileName(result.Path);
            Directory = System.IO.Path.GetDirectoryName(result.Path);
            IsValid = result.IsValid;
            var findings = new List<WhisperFileFinding>(result.Findings.Count);
            foreach (var f in result.Findings)
            {
                findings.Add(new WhisperFileFinding(result.Path, f));
                if (f.Severity == FindingSeverity.Error) ErrorCount++;
                else if (f.Severity == FindingSeverity.Warning) WarningCount++;
            }
            Findings = findings.ToArray();
            FileSize = result.FileSize;
        }

        public string Path { get; }
        public string Name { get; }
        public string Directory { get; }
        public bool IsValid { get; }
        public int ErrorCount { get; }
        public int WarningCount { get; }

        /// <summary>Errors first as found, then warnings; empty for a clean file.</summary>
        public WhisperFileFinding[] Findings { get; }

        public long FileSize { get; }

        public override string ToString() => Path;
    }
}
