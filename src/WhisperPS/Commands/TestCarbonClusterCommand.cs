using System.Management.Automation;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Test-CarbonCluster: an inventory of a cluster's whisper files against its ring: under-replicated, misplaced
    /// and orphaned metrics, and replicas whose data differ. Read-only.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "CarbonCluster", DefaultParameterSetName = DestinationSet)]
    [OutputType(typeof(CarbonMetricState))]
    public sealed class TestCarbonClusterCommand : CarbonClusterCmdlet
    {
        /// <summary>Also output metrics that are exactly where they belong with equal replicas.</summary>
        [Parameter]
        public SwitchParameter IncludeHealthy { get; set; }

        /// <summary>Do not compare the owners' copies (faster; DifferingSlots stays empty).</summary>
        [Parameter]
        public SwitchParameter SkipCompare { get; set; }

        protected override void EndProcessing()
        {
            ResolveNodes();
            var states = ScanCluster(!SkipCompare);
            int healthy = 0;
            foreach (var s in states)
            {
                ThrowIfStopping();
                if (s.Healthy) healthy++;
                if (s.Healthy && !IncludeHealthy) continue;
                WriteObject(s);
            }
            WriteVerbose(states.Count + " metrics on " + Nodes.Count + " nodes; " + healthy + " healthy.");
        }
    }
}
