using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>Test-CarbonCluster and Sync-CarbonCluster: the ring plus each node's storage root.</summary>
    public abstract class CarbonClusterCmdlet : CarbonRingCmdlet
    {
        /// <summary>Node (server:port[:instance], as in the ring) to its LOCAL_DATA_DIR, local or mounted.
        /// Nodes not in the ring are leaving nodes: all their copies are misplaced and Sync drains them.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public IDictionary StorageRoot { get; set; }

        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        internal List<CarbonNodeStorage> Nodes { get; private set; }

        internal long NowSeconds { get; private set; }

        internal void ResolveNodes()
        {
            BuildRing();
            NowSeconds = ResolveNow(IsBound(nameof(Now)), Now);
            Nodes = new List<CarbonNodeStorage>();
            foreach (DictionaryEntry e in StorageRoot)
            {
                string key = Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture);
                CarbonDestination d;
                try
                {
                    d = CarbonDestination.Parse(key);
                }
                catch (FormatException ex)
                {
                    ThrowTerminatingError(WhisperErrors.Create(ex, ErrorIds.CarbonRingInvalid, ErrorCategory.InvalidArgument, key));
                    return;
                }
                var ringNode = Ring.Nodes.FirstOrDefault(n => n.SameNode(d));
                string path = ResolveNewFile(Convert.ToString(e.Value is PSObject p ? p.BaseObject : e.Value, System.Globalization.CultureInfo.InvariantCulture), out ErrorRecord error);
                if (path == null) ThrowTerminatingError(error);
                if (!Directory.Exists(path))
                    ThrowTerminatingError(WhisperErrors.Create(new DirectoryNotFoundException("The storage root of " + d + " does not exist: " + path),
                        ErrorIds.CarbonStorageRootInvalid, ErrorCategory.ObjectNotFound, path));
                Nodes.Add(new CarbonNodeStorage(ringNode ?? d, path, ringNode != null));
            }
            foreach (var n in Ring.Nodes)
                if (!Nodes.Any(s => s.Node.Equals(n)))
                    ThrowTerminatingError(WhisperErrors.Create(new ArgumentException("-StorageRoot has no entry for ring node " + n + "."),
                        ErrorIds.CarbonStorageRootInvalid, ErrorCategory.InvalidArgument, n.ToString()));
        }

        internal List<CarbonMetricState> ScanCluster(bool compare)
        {
            return CarbonCluster.Scan(Ring, Replication, Diverse, Nodes, compare, NowSeconds, CancellationToken, m => WriteVerbose("Skipped " + m));
        }
    }
}
