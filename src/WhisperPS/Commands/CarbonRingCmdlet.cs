using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>
    /// What the carbon cluster cmdlets share: the ring, given either as -Destination with its hash settings or as
    /// -ConfigPath to a carbon.conf, carbon-c-relay config or carbonate.conf.
    /// </summary>
    public abstract class CarbonRingCmdlet : WhisperCmdlet
    {
        internal const string DestinationSet = "Destination";
        internal const string ConfigSet = "Config";

        [Parameter(Mandatory = true, ParameterSetName = DestinationSet)]
        [ValidateNotNullOrEmpty]
        public string[] Destination { get; set; }

        [Parameter(ParameterSetName = DestinationSet)]
        [ValidateSet("carbon_ch", "fnv1a_ch", "jump_fnv1a_ch")]
        public string HashType { get; set; } = "carbon_ch";

        [Parameter(ParameterSetName = DestinationSet)]
        [ValidateRange(1, 100)]
        public int ReplicationFactor { get; set; } = 1;

        [Parameter(ParameterSetName = DestinationSet)]
        public SwitchParameter DiverseReplicas { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ConfigSet)]
        [ValidateNotNullOrEmpty]
        public string ConfigPath { get; set; }

        /// <summary>The carbon-c-relay cluster, the carbonate cluster section (default main) or carbon's relay instance.</summary>
        [Parameter(ParameterSetName = ConfigSet)]
        [ValidateNotNullOrEmpty]
        public string Cluster { get; set; }

        [Parameter]
        public CarbonImplementation Implementation { get; set; }

        internal CarbonRing Ring { get; private set; }

        internal int Replication { get; private set; }

        internal bool Diverse { get; private set; }

        internal IReadOnlyList<string> RingWarnings { get; private set; }

        /// <summary>Builds the ring or stops the command with a clear error; writes the ring's warnings.</summary>
        internal void BuildRing()
        {
            List<CarbonDestination> nodes;
            CarbonHashType type;
            CarbonImplementation impl;
            var warnings = new List<string>();
            if (ParameterSetName == ConfigSet)
            {
                string path = ResolveNewFile(ConfigPath, out ErrorRecord pathError);
                if (path == null) ThrowTerminatingError(pathError);
                CarbonRingConfig config;
                try
                {
                    config = CarbonRingConfig.Read(path, Cluster);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(WhisperErrors.FromException(ex, path, FileAccessIntent.Read) ??
                        WhisperErrors.Create(ex, ErrorIds.ReadError, ErrorCategory.ReadError, path));
                    return;
                }
                catch (FormatException ex)
                {
                    ThrowTerminatingError(WhisperErrors.Create(new FormatException("'" + path + "': " + ex.Message, ex),
                        ErrorIds.CarbonConfigInvalid, ErrorCategory.InvalidData, path));
                    return;
                }
                nodes = config.Destinations.ToList();
                type = config.HashType;
                impl = IsBound(nameof(Implementation)) ? Implementation : config.Implementation;
                Replication = config.ReplicationFactor;
                Diverse = config.DiverseReplicas;
                warnings.AddRange(config.Warnings);
                if (nodes.Count == 0)
                    ThrowTerminatingError(WhisperErrors.Create(new FormatException("'" + path + "' names no destinations."),
                        ErrorIds.CarbonConfigInvalid, ErrorCategory.InvalidData, path));
                WriteVerbose("Ring from '" + path + "' (" + config.Source + "): " + CarbonHashTypeNames.ToName(type) + ", replication " +
                    Replication + ", diverse " + Diverse + ", " + string.Join(" ", nodes));
            }
            else
            {
                nodes = new List<CarbonDestination>();
                foreach (string d in Destination)
                {
                    try
                    {
                        nodes.Add(CarbonDestination.Parse(d));
                    }
                    catch (FormatException ex)
                    {
                        ThrowTerminatingError(WhisperErrors.Create(ex, ErrorIds.CarbonRingInvalid, ErrorCategory.InvalidArgument, d));
                    }
                }
                CarbonHashTypeNames.TryParse(HashType, out type);
                impl = IsBound(nameof(Implementation)) ? Implementation
                    : type == CarbonHashType.JumpFnv1aCh ? CarbonImplementation.CarbonCRelay : CarbonImplementation.Carbon;
                Replication = ReplicationFactor;
                Diverse = DiverseReplicas.IsPresent;
            }
            if (Diverse && impl == CarbonImplementation.CarbonCRelay)
                ThrowTerminatingError(WhisperErrors.Create(new ArgumentException("carbon-c-relay has no DIVERSE_REPLICAS: its replicas are distinct cluster members."),
                    ErrorIds.CarbonRingInvalid, ErrorCategory.InvalidArgument, impl));
            try
            {
                Ring = CarbonRing.Create(nodes, type, impl);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(WhisperErrors.Create(ex, ErrorIds.CarbonRingInvalid, ErrorCategory.InvalidArgument, string.Join(",", nodes)));
            }
            warnings.AddRange(CarbonRingChecks.Warnings(Ring, Replication, Diverse));
            RingWarnings = warnings;
            foreach (string w in warnings) WriteWarning(w);
        }
    }
}
