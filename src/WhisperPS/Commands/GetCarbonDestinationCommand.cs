using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Get-CarbonDestination: which carbon-cache nodes a relay sends each metric to, computed exactly as carbon's
    /// consistent-hashing router or carbon-c-relay does, with ring diagnostics on request.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "CarbonDestination", DefaultParameterSetName = DestinationSet)]
    [OutputType(typeof(CarbonPlacement), typeof(CarbonRingDiagnostics))]
    public sealed class GetCarbonDestinationCommand : CarbonRingCmdlet
    {
        private readonly List<string> _metrics = new List<string>();
        private Dictionary<CarbonImplementation, CarbonRing> _others;

        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [AllowEmptyCollection]
        public string[] Metric { get; set; }

        /// <summary>Also write one CarbonRingDiagnostics object after the placements.</summary>
        [Parameter]
        public SwitchParameter Diagnostics { get; set; }

        protected override void BeginProcessing()
        {
            BuildRing();
            if (!Diagnostics) return;
            _others = new Dictionary<CarbonImplementation, CarbonRing>();
            foreach (CarbonImplementation impl in Enum.GetValues(typeof(CarbonImplementation)))
            {
                if (impl == Ring.Implementation) continue;
                if (Ring.HashType == CarbonHashType.JumpFnv1aCh) continue;
                if (Ring.HashType == CarbonHashType.Fnv1aCh && impl == CarbonImplementation.Carbon09) continue;
                _others[impl] = CarbonRing.Create(Ring.Nodes, Ring.HashType, impl);
            }
        }

        protected override void ProcessRecord()
        {
            if (Metric == null) return;
            foreach (string metric in Metric)
            {
                ThrowIfStopping();
                if (string.IsNullOrEmpty(metric))
                {
                    WriteError(WhisperErrors.Create(new ArgumentException("A metric name is empty."), ErrorIds.CarbonPointInvalid, ErrorCategory.InvalidArgument, metric));
                    continue;
                }
                var destinations = Ring.GetDestinations(metric, Replication, Diverse);
                int position = Ring.GetPosition(metric);
                WriteObject(new CarbonPlacement(metric, destinations, position < 0 ? (int?)null : position, CarbonRingChecks.IsNodeLocal(metric)));
                if (Diagnostics) _metrics.Add(metric);
            }
        }

        protected override void EndProcessing()
        {
            if (!Diagnostics) return;
            var counts = new int[Ring.Nodes.Count];
            var index = new Dictionary<CarbonDestination, int>();
            for (int i = 0; i < Ring.Nodes.Count; i++) index[Ring.Nodes[i]] = i;
            var disagreements = new List<CarbonDisagreement>();
            foreach (string metric in _metrics)
            {
                var mine = Ring.GetDestinations(metric, Replication, Diverse);
                foreach (var d in mine) counts[index[d]]++;
                var all = new Dictionary<CarbonImplementation, CarbonDestination[]> { [Ring.Implementation] = mine.ToArray() };
                bool differ = false;
                foreach (var kv in _others)
                {
                    var theirs = kv.Value.GetDestinations(metric, Replication, Diverse).ToArray();
                    all[kv.Key] = theirs;
                    if (!theirs.SequenceEqual(mine)) differ = true;
                }
                if (differ) disagreements.Add(new CarbonDisagreement(metric, all));
            }
            double[] shares = Ring.PrimaryShares();
            WriteObject(new CarbonRingDiagnostics
            {
                HashType = CarbonHashTypeNames.ToName(Ring.HashType),
                Implementation = Ring.Implementation,
                ReplicationFactor = Replication,
                DiverseReplicas = Diverse,
                DistinctServers = Ring.Nodes.Select(n => n.Server).Distinct().Count(),
                Nodes = Ring.Nodes.Select((n, i) => new CarbonNodeShare(n, shares[i], counts[i])).ToArray(),
                Collisions = Ring.Collisions.ToArray(),
                MetricCount = _metrics.Count,
                Disagreements = disagreements.ToArray(),
                Warnings = RingWarnings.ToArray(),
            });
        }
    }
}
