using System.Management.Automation;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>Get-CarbonStorageSchema: what carbon-cache 1.1.7 would create for each metric, from its
    /// storage-schemas.conf and storage-aggregation.conf.</summary>
    [Cmdlet(VerbsCommon.Get, "CarbonStorageSchema")]
    [OutputType(typeof(CarbonStorageSchema))]
    public sealed class GetCarbonStorageSchemaCommand : WhisperCmdlet
    {
        private CarbonStorageConfiguration _config;

        /// <summary>Metric names as sent to carbon (plain, tagged or OpenMetrics).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Metric { get; set; }

        /// <summary>carbon's CONF_DIR: the folder with storage-schemas.conf and storage-aggregation.conf.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string ConfigPath { get; set; }

        protected override void BeginProcessing()
        {
            _config = CarbonConfiguration.Load(this, ConfigPath);
        }

        protected override void ProcessRecord()
        {
            foreach (string m in Metric)
            {
                ThrowIfStopping();
                if (string.IsNullOrEmpty(m)) continue;
                WriteObject(new CarbonStorageSchema(_config.Resolve(m)));
            }
        }
    }
}
