using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Repair-WhisperFile: fills the empty slots of each file from one or more replicas (whisper-fill done right).
    /// Only empty slots are written, rollups over them are recomputed, and the file is changed in place under its
    /// lock, so it is safe while carbon writes to it.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Repair, "WhisperFile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(WhisperRepairResult))]
    public sealed class RepairWhisperFileCommand : WhisperRangeCmdlet
    {
        private readonly ThrottledProgress _progress = new ThrottledProgress(0x5751, "Repair-WhisperFile");

        internal const string StorageRootSet = "StorageRoot";

        private string _storageRoot;
        private string[] _sourceRoots;
        private bool _preview;

        /// <summary>Replicas to take data from, in order of preference; wildcards allowed. Bound by property name
        /// from the pipeline, so a script block can compute each file's replica.</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Source { get; set; }

        /// <summary>The root of the damaged tree: every *.wsp file below it is repaired from the file at the same
        /// relative path under each <see cref="SourceRoot"/>.</summary>
        [Parameter(Mandatory = true, ParameterSetName = StorageRootSet)]
        [ValidateNotNullOrEmpty]
        public string StorageRoot { get; set; }

        /// <summary>Roots of replica trees, in order of preference.</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = StorageRootSet)]
        [ValidateNotNullOrEmpty]
        public string[] SourceRoot { get; set; }

        /// <summary>Everything the file holds, as whisper-fill.</summary>
        internal override long DefaultFrom(long now) => 0;

        protected override void BeginProcessing()
        {
            ResolveRange();
            _preview = Previewing();
            if (ParameterSetName != StorageRootSet) return;
            _storageRoot = ExistingFolder(StorageRoot, nameof(StorageRoot));
            _sourceRoots = new string[SourceRoot.Length];
            for (int i = 0; i < SourceRoot.Length; i++)
            {
                _sourceRoots[i] = ExistingFolder(SourceRoot[i], nameof(SourceRoot));
                if (PathComparer.Equals(_sourceRoots[i], _storageRoot))
                    ThrowTerminatingError(WhisperErrors.Create(
                        new ArgumentException("-SourceRoot '" + SourceRoot[i] + "' is the storage root being repaired; give the root of a replica."),
                        ErrorIds.RepairSameFile, ErrorCategory.InvalidArgument, SourceRoot[i]));
            }
        }

        // A folder given by -StorageRoot or -SourceRoot, as a full provider path without a trailing separator; a
        // missing one stops the command before any file is touched.
        private string ExistingFolder(string path, string parameter)
        {
            string full = CarbonConfiguration.ResolveFolder(this, path);
            if (!System.IO.Directory.Exists(full))
                ThrowTerminatingError(WhisperErrors.Create(
                    new System.IO.DirectoryNotFoundException("-" + parameter + " '" + path + "' is not a folder" +
                        (System.IO.File.Exists(full) ? "." : ": it does not exist.")),
                    ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, path));
            full = System.IO.Path.GetFullPath(full);
            string root = System.IO.Path.GetPathRoot(full);
            return full.Length > root.Length ? full.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) : full;
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == StorageRootSet)
            {
                RepairTree();
                return;
            }
            var targets = ResolveInputFiles().ToList();
            if (targets.Count == 0) return;
            var sources = ResolveExistingFiles(Source, false);
            foreach (var target in targets)
            {
                ThrowIfStopping();
                var paths = new List<string>(sources.Count);
                foreach (var s in sources)
                {
                    // "-Source /replica/*.wsp" may match the target itself when both are in one folder.
                    if (s.FromWildcard && PathComparer.Equals(System.IO.Path.GetFullPath(s.Path), System.IO.Path.GetFullPath(target.Path)))
                    {
                        WriteVerbose("Skipping source '" + s.Path + "': it is the file being repaired.");
                        continue;
                    }
                    paths.Add(s.Path);
                }
                Repair(target.Path, paths);
            }
        }

        // -StorageRoot: every file below the root, each from the same relative path under every -SourceRoot.
        private void RepairTree()
        {
            char sep = System.IO.Path.DirectorySeparatorChar;
            var cmp = PathComparer == StringComparer.Ordinal ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            string rootPrefix = _storageRoot[_storageRoot.Length - 1] == sep ? _storageRoot : _storageRoot + sep;
            int skip = rootPrefix.Length;
            // A replica tree kept inside the damaged one is a source, not files to repair.
            var inside = _sourceRoots.Where(r => r.StartsWith(rootPrefix, cmp)).Select(r => r + sep).ToArray();
            foreach (string file in WspTree.FilesBelow(_storageRoot, (ex, dir) => WriteFileError(ex, dir, FileAccessIntent.Read)))
            {
                ThrowIfStopping();
                if (inside.Length > 0 && inside.Any(r => file.StartsWith(r, cmp))) continue;
                string relative = file.Substring(skip);
                var paths = new string[_sourceRoots.Length];
                for (int i = 0; i < paths.Length; i++) paths[i] = System.IO.Path.Combine(_sourceRoots[i], relative);
                Repair(file, paths);
            }
        }

        // One file: preview or fill, the result or the error.
        private void Repair(string target, IReadOnlyList<string> paths)
        {
            _progress.Show(this, "Filling '" + target + "'", _progress.Done + " files done");
            try
            {
                string action;
                if (_preview)
                {
                    var dry = WhisperFile.FillGaps(target, paths, RangeFrom, RangeUntil, RangeNow, dryRun: true,
                        cancellationToken: CancellationToken);
                    action = Describe(dry, paths);
                }
                else action = "Fill empty slots from " + Quoted(paths);
                if (!ShouldProcess(target, action)) return;
                var result = WhisperFile.FillGaps(target, paths, RangeFrom, RangeUntil, RangeNow,
                    cancellationToken: CancellationToken);
                foreach (var failure in result.SourceFailures) WriteSourceError(failure);
                _progress.Done++;
                WriteObject(new WhisperRepairResult(result));
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                string path = ex is CorruptWhisperFileException c && c.Path != null ? c.Path : target;
                WriteFileError(ex, path, FileAccessIntent.Write);
            }
        }

        private static string Quoted(IReadOnlyList<string> paths) => string.Join(", ", paths.Select(p => "'" + p + "'"));

        protected override void EndProcessing() => _progress.Complete(this);

        // -WhatIf or -Confirm in effect: compute the counts first so the message can say what would be filled.
        private bool Previewing()
        {
            bool Switch(string name) => MyInvocation.BoundParameters.TryGetValue(name, out var v) && LanguagePrimitives.IsTrue(v);
            if (Switch("WhatIf") || Switch("Confirm")) return true;
            if (MyInvocation.BoundParameters.ContainsKey("WhatIf")) return false;
            return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        }

        private static string Describe(FillResult dry, IReadOnlyList<string> paths)
        {
            var parts = dry.Archives.Select(a => Retention.Format(new ArchiveSpec(a.SecondsPerPoint, a.Points)) + ": " +
                a.Filled.ToString(CultureInfo.InvariantCulture) + " filled" +
                (a.Recomputed > 0 ? ", " + a.Recomputed.ToString(CultureInfo.InvariantCulture) + " rollups recomputed" : "") +
                (a.StillEmpty > 0 ? ", " + a.StillEmpty.ToString(CultureInfo.InvariantCulture) + " left empty" : ""));
            return "Fill " + dry.Filled.ToString(CultureInfo.InvariantCulture) + " empty slots (" + string.Join("; ", parts) + ") from " +
                (paths.Count == 0 ? "no source" : Quoted(paths));
        }

        private void WriteSourceError(SourceFailure failure)
        {
            if (failure.Error is ArgumentException && !(failure.Error is ArgumentNullException))
            {
                WriteError(WhisperErrors.Create(failure.Error, ErrorIds.RepairSameFile, ErrorCategory.InvalidArgument, failure.Path));
                return;
            }
            WriteFileError(failure.Error, failure.Path, FileAccessIntent.Read);
        }
    }
}
