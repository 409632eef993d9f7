using System.Collections.Generic;
using System.Linq;
using WhisperPS.Engine.Carbon;

namespace WhisperPS
{
    /// <summary>Where a carbon relay sends one metric: its destinations in the relay's order.</summary>
    public sealed class CarbonPlacement
    {
        internal CarbonPlacement(string metric, IReadOnlyList<CarbonDestination> destinations, int? position, bool nodeLocal)
        {
            Metric = metric;
            Destinations = destinations.ToArray();
            Position = position;
            NodeLocal = nodeLocal;
        }

        /// <summary>The metric name, exactly as hashed.</summary>
        public string Metric { get; }

        /// <summary>The nodes that store it, first owner first.</summary>
        public CarbonDestination[] Destinations { get; }

        /// <summary>The metric's ring position (0-65535); null for jump_fnv1a_ch.</summary>
        public int? Position { get; }

        /// <summary>True for carbon.agents.* self-metrics, which each carbon-cache writes to its own storage, whatever the ring says.</summary>
        public bool NodeLocal { get; }

        public override string ToString() => Metric + " -> " + string.Join(", ", Destinations.Select(d => d.ToString()));
    }

    /// <summary>One node's part of the ring.</summary>
    public sealed class CarbonNodeShare
    {
        internal CarbonNodeShare(CarbonDestination destination, double primaryShare, int metrics)
        {
            Destination = destination;
            PrimaryShare = primaryShare;
            Metrics = metrics;
        }

        public CarbonDestination Destination { get; }

        /// <summary>The fraction of the hash space this node owns first (jump_fnv1a_ch: the expected even share).</summary>
        public double PrimaryShare { get; }

        /// <summary>How many of the metrics given to the command have a copy on this node.</summary>
        public int Metrics { get; }
    }

    /// <summary>A metric the implementations place differently (only possible when virtual nodes collide, or with fnv1a_ch).</summary>
    public sealed class CarbonDisagreement
    {
        internal CarbonDisagreement(string metric, IDictionary<CarbonImplementation, CarbonDestination[]> placements)
        {
            Metric = metric;
            Placements = new Dictionary<CarbonImplementation, CarbonDestination[]>(placements);
        }

        public string Metric { get; }

        public Dictionary<CarbonImplementation, CarbonDestination[]> Placements { get; }

        public override string ToString() => Metric + ": " + string.Join("; ", Placements.Select(kv => kv.Key + " " + string.Join(",", kv.Value.Select(d => d.ToString()))));
    }

    /// <summary>Get-CarbonDestination -Diagnostics: the ring, each node's share, collisions, and disagreements.</summary>
    public sealed class CarbonRingDiagnostics
    {
        public string HashType { get; internal set; }

        public CarbonImplementation Implementation { get; internal set; }

        public int ReplicationFactor { get; internal set; }

        public bool DiverseReplicas { get; internal set; }

        public int DistinctServers { get; internal set; }

        public CarbonNodeShare[] Nodes { get; internal set; }

        public CarbonVnodeCollision[] Collisions { get; internal set; }

        /// <summary>How many metrics were placed.</summary>
        public int MetricCount { get; internal set; }

        /// <summary>The metrics (of those placed) on which carbon >= 1.0, carbon 0.9 and carbon-c-relay disagree.</summary>
        public CarbonDisagreement[] Disagreements { get; internal set; }

        public string[] Warnings { get; internal set; }
    }
}
