using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Sync-CarbonCluster: makes every metric whole on the nodes the ring assigns it to (copy to owners without a
    /// copy, gap fill between copies by content), then removes copies from other nodes once verified.
    /// </summary>
    [Cmdlet(VerbsData.Sync, "CarbonCluster", DefaultParameterSetName = DestinationSet, SupportsShouldProcess = true)]
    [OutputType(typeof(CarbonSyncStep))]
    public sealed class SyncCarbonClusterCommand : CarbonClusterCmdlet
    {
        /// <summary>Keep copies on nodes that do not own the metric (no removal).</summary>
        [Parameter]
        public SwitchParameter KeepMisplaced { get; set; }

        /// <summary>Pause after each metric that was changed, to spare the disks carbon writes to.</summary>
        [Parameter]
        [ValidateRange(0, 60000)]
        public int ThrottleMilliseconds { get; set; }

        protected override void EndProcessing()
        {
            ResolveNodes();
            bool whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out object w) && w is SwitchParameter sw && sw.IsPresent;
            if (!whatIf)
                foreach (var n in Nodes)
                {
                    int removed = CarbonCluster.RemoveLeftovers(n.Root);
                    if (removed > 0) WriteVerbose("Removed " + removed + " temporary file(s) an interrupted sync left under " + n.Root);
                }
            // Replicas are compared later, per metric, by the fill and the verification.
            var states = ScanCluster(false);
            var progress = new ProgressRecord(1, "Sync-CarbonCluster", "Scanning");
            int done = 0;
            foreach (var s in states)
            {
                ThrowIfStopping();
                done++;
                if (s.MissingOn.Length == 0 && s.MisplacedOn.Length == 0 && s.OrphanedOn.Length == 0 && s.Copies.Count < 2) continue;
                progress.StatusDescription = s.Metric;
                progress.PercentComplete = (int)(100L * done / states.Count);
                WriteProgress(progress);
                bool apply = ShouldProcess(s.Metric, "Copy to owners (" + string.Join(", ", s.MissingOn.Select(d => d.ToString())) + "), fill replicas, remove verified copies elsewhere (" +
                    string.Join(", ", s.MisplacedOn.Concat(s.OrphanedOn).Select(d => d.ToString())) + ")");
                bool changed = false;
                CarbonCluster.SyncMetric(s, !apply, KeepMisplaced, NowSeconds, step =>
                {
                    if (!step.Planned && (step.Action != CarbonSyncAction.Fill || step.Slots > 0) && step.Action != CarbonSyncAction.Verify) changed = true;
                    WriteObject(step);
                    if (!step.Succeeded && step.Action != CarbonSyncAction.Verify)
                        WriteError(WhisperErrors.Create(new InvalidOperationException(step.Action + " of " + step.Metric + " on " + step.Node + " failed: " + step.Message),
                            ErrorIds.CarbonSyncFailed, ErrorCategory.WriteError, step));
                }, node => Nodes.First(n => n.Node.Equals(node)).Root, CancellationToken);
                if (changed && ThrottleMilliseconds > 0) CancellationToken.WaitHandle.WaitOne(ThrottleMilliseconds);
            }
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
