using System.Collections.Generic;
using System.Linq;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>What about a ring and its settings changes placement in ways admins do not expect.</summary>
    public static class CarbonRingChecks
    {
        /// <summary>Metrics under this prefix are written by each carbon-cache to its own storage, never routed.</summary>
        public const string NodeLocalPrefix = "carbon.agents.";

        public static bool IsNodeLocal(string metric) => metric != null && metric.StartsWith(NodeLocalPrefix, System.StringComparison.Ordinal);

        public static List<string> Warnings(CarbonRing ring, int replicationFactor, bool diverseReplicas)
        {
            var warnings = new List<string>();
            int nodes = ring.Nodes.Count;
            int servers = ring.Nodes.Select(n => n.Server).Distinct().Count();
            if (ring.HashType == CarbonHashType.Fnv1aCh && ring.Implementation == CarbonImplementation.Carbon)
            {
                int bare = ring.Nodes.Count(n => n.Instance == null);
                if (bare > 1)
                    warnings.Add("fnv1a_ch without instances: carbon keys virtual nodes by instance only ('<i>-None'), so the " + bare +
                        " nodes without an instance hash to the same positions and their order in DESTINATIONS decides placement; carbon-c-relay keys them by server:port and places differently. Give every destination an instance.");
            }
            if (diverseReplicas && replicationFactor > servers)
                warnings.Add("REPLICATION_FACTOR " + replicationFactor + " with DIVERSE_REPLICAS but only " + servers +
                    " distinct server" + (servers == 1 ? "" : "s") + ": every metric is stored " + servers + " time" + (servers == 1 ? "" : "s") + ", not " + replicationFactor + ".");
            else if (replicationFactor > nodes)
                warnings.Add("REPLICATION_FACTOR " + replicationFactor + " but only " + nodes + " node" + (nodes == 1 ? "" : "s") +
                    ": every metric is stored " + nodes + " time" + (nodes == 1 ? "" : "s") + (ring.Implementation == CarbonImplementation.CarbonCRelay ? "; carbon-c-relay refuses such a cluster." : "."));
            if (ring.Collisions.Count > 0 && !(ring.HashType == CarbonHashType.Fnv1aCh && ring.Nodes.Count(n => n.Instance == null) > 1))
                warnings.Add(ring.Collisions.Count + " virtual node position" + (ring.Collisions.Count == 1 ? "" : "s") +
                    " collide: carbon >= 1.0, carbon 0.9.x and carbon-c-relay resolve collisions differently, so they place some metrics on different nodes. Use the implementation your relay runs (-Implementation); -Diagnostics lists the metrics they disagree on.");
            return warnings;
        }
    }
}
