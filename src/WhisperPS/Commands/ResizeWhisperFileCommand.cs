using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Resize-WhisperFile: gives files new archives (whisper-resize done right). Each new slot holds the aggregate of
    /// the finest old data covering it, by the file's method and xFilesFactor; the file is rewritten in place under
    /// its lock through the engine's journal, so it is safe beside a live carbon-cache and against a kill.
    /// </summary>
    [Cmdlet(VerbsCommon.Resize, "WhisperFile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class ResizeWhisperFileCommand : WhisperFileInputCmdlet
    {
        // The last -Retention parsed: records piped from Test-WhisperSchema mostly carry the same few lists.
        private string[] _parsedRetention;
        private List<ArchiveSpec> _archives;
        private string _retentionText;
        private long _now;
        private readonly ThrottledProgress _progress = new ThrottledProgress(0x5752, "Resize-WhisperFile");
        private readonly JournalReuse _journals = new JournalReuse();

        /// <summary>The new archives as precision:retention, e.g. '1m:30d','1h:1y' or '1m:30d,1h:1y'. Bound from
        /// the pipeline by name too, so Test-WhisperSchema's records resize each file to what carbon expects.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(RetentionCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] Retention { get; set; }

        // Nullable, because PowerShell keeps a parameter bound from one piped record in BoundParameters for the
        // next record too (it only restores the default value): null is the one reliable "not given for this record".

        /// <summary>A new aggregation method; the file's own when not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AggregationMethodTransformation]
        public AggregationMethod? AggregationMethod { get; set; }

        /// <summary>A new xFilesFactor; the file's own when not given.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0.0, 1.0)]
        public double? XFilesFactor { get; set; }

        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        /// <summary>Keep a copy of each file as it was, as &lt;file&gt;.bak beside it.</summary>
        [Parameter]
        public SwitchParameter Backup { get; set; }

        /// <summary>Keep a copy of each file as it was in this folder, as &lt;name&gt;.bak.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string BackupPath { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Skip the fsyncs: still safe against a kill (the journal), not against a power loss.</summary>
        [Parameter]
        public SwitchParameter NoFlush { get; set; }

        protected override void BeginProcessing()
        {
            _now = ResolveNow(IsBound(nameof(Now)), Now);
            BackupPath = RewriteCommands.ResolveBackupFolder(this, BackupPath);
            // Given on the command line: a bad list stops the command before any file is touched.
            if (Retention != null) ParseRetention(stopOnError: true, target: null);
        }

        /// <summary>Parses -Retention (given once, or bound from each piped record). An invalid list given on the
        /// command line stops the command; one piped with a record is that record's error, its file the target.</summary>
        private bool ParseRetention(bool stopOnError, string target)
        {
            if (_parsedRetention != null && SameList(_parsedRetention, Retention)) return true;
            try
            {
                _archives = Engine.Retention.Validate(Engine.Retention.ParseList(Retention));
            }
            catch (InvalidConfigurationException ex)
            {
                if (stopOnError) ThrowTerminatingError(WhisperErrors.Create(ex, ErrorIds.RetentionInvalid, ErrorCategory.InvalidArgument, Retention));
                WriteError(WhisperErrors.Create(ex, ErrorIds.RetentionInvalid, ErrorCategory.InvalidArgument, target));
                _parsedRetention = null;
                return false;
            }
            var parts = new string[_archives.Count];
            for (int i = 0; i < parts.Length; i++) parts[i] = Engine.Retention.Format(_archives[i]);
            _retentionText = string.Join(",", parts);
            _parsedRetention = (string[])Retention.Clone();
            return true;
        }

        private static bool SameList(string[] a, string[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
            return true;
        }

        protected override void ProcessRecord()
        {
            if (!ParseRetention(stopOnError: false, target: FirstInputPath)) return;
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                string action = "Resize to " + _retentionText +
                    (AggregationMethod.HasValue ? ", " + Aggregation.ToWhisperName(AggregationMethod.Value) : "") +
                    (XFilesFactor.HasValue ? ", xFilesFactor " + XFilesFactor.Value.ToString("R", CultureInfo.InvariantCulture) : "");
                if (!ShouldProcess(file.Path, action)) continue;
                _progress.Done++;
                _progress.Show(this, "File " + _progress.Done + ": " + file.Path);
                ResizeResult r;
                try
                {
                    r = WhisperFile.Resize(file.Path, _archives, AggregationMethod, XFilesFactor, _now,
                        RewriteCommands.Options(file.Path, Backup, BackupPath, NoFlush, _journals));
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Write);
                    continue;
                }
                if (VerboseWanted) WriteVerbose("'" + file.Path + "': " + RewriteCommands.Describe(r.OldHeader) + " -> " + RewriteCommands.Describe(r.NewHeader) +
                    "; " + r.OldPoints + " point(s) before, " + r.NewPoints + " after; lock held " +
                    r.LockHeld.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms" + (r.Changed ? "." : " (unchanged)."));
                if (PassThru) WriteInfo(file.Path);
            }
        }

        protected override void EndProcessing()
        {
            _journals.Dispose();
            _progress.Complete(this);
        }

        protected override void Dispose(bool disposing) => _journals.Dispose();
    }

    /// <summary>What the rewriting cmdlets share: backup options and descriptions.</summary>
    internal static class RewriteCommands
    {
        internal static string ResolveBackupFolder(PSCmdlet cmdlet, string backupPath)
        {
            if (backupPath == null) return null;
            string folder = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(backupPath);
            if (!System.IO.Directory.Exists(folder))
                cmdlet.ThrowTerminatingError(WhisperErrors.Create(
                    new System.IO.DirectoryNotFoundException("-BackupPath '" + backupPath + "' is not an existing folder."),
                    ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, backupPath));
            return folder;
        }

        /// <summary>A rewrite's options; without fsync the cmdlet's <paramref name="journals"/> keeps one journal file
        /// for the whole pipeline instead of creating one per file.</summary>
        internal static RewriteOptions Options(string path, bool backup, string backupFolder, bool noFlush, JournalReuse journals)
        {
            string copy = backupFolder != null ? System.IO.Path.Combine(backupFolder, System.IO.Path.GetFileName(path) + ".bak")
                        : backup ? path + ".bak" : null;
            return new RewriteOptions { BackupPath = copy, Durable = !noFlush, ReuseJournal = noFlush ? journals : null };
        }

        internal static string Describe(WhisperHeader h)
        {
            if (h == null) return "?";
            var parts = new string[h.Archives.Count];
            for (int i = 0; i < parts.Length; i++) parts[i] = h.Archives[i].ToString();
            return string.Join(",", parts) + " " + Aggregation.ToWhisperName(h.AggregationMethod) + " xff " +
                   h.XFilesFactor.ToString("R", CultureInfo.InvariantCulture);
        }
    }
}
