using System;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Clear-WhisperSeries: removes the points of a time range from every archive of each file and recomputes the
    /// rollups the range fed from what remains, rewriting the file in place under its lock (live-safe, crash-safe).
    /// </summary>
    [Cmdlet(VerbsCommon.Clear, "WhisperSeries", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class ClearWhisperSeriesCommand : WhisperRangeCmdlet
    {
        private readonly ThrottledProgress _progress = new ThrottledProgress(0x5753, "Clear-WhisperSeries");
        private readonly JournalReuse _journals = new JournalReuse();

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

        // -From must be given: clearing from the beginning of time by default would be too easy to do by mistake.
        internal override long DefaultFrom(long now) => 0;

        protected override void BeginProcessing()
        {
            if (!IsBound(nameof(From)))
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("Give -From (and -Until, which defaults to now): the range whose points are removed."),
                    ErrorIds.TimeIntervalInvalid, ErrorCategory.InvalidArgument, null));
            ResolveRange();
            BackupPath = RewriteCommands.ResolveBackupFolder(this, BackupPath);
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                string action = "Remove the points from " + FormatUnix(RangeFrom) + " to " + FormatUnix(RangeUntil);
                if (!ShouldProcess(file.Path, action)) continue;
                _progress.Done++;
                _progress.Show(this, "File " + _progress.Done + ": " + file.Path);
                ClearResult r;
                try
                {
                    r = WhisperFile.Clear(file.Path, RangeFrom, RangeUntil, RangeNow, RewriteCommands.Options(file.Path, Backup, BackupPath, NoFlush, _journals));
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Write);
                    continue;
                }
                if (VerboseWanted) WriteVerbose("'" + file.Path + "': removed " + string.Join("+", r.Removed) + " point(s) per archive, recomputed " +
                    string.Join("+", r.Recomputed) + " rollup(s); lock held " +
                    r.LockHeld.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms.");
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
}
