using WhisperPS.Engine.Carbon;

namespace WhisperPS
{
    /// <summary>Send-CarbonMetric -PassThru: what reached carbon and what did not.</summary>
    public sealed class CarbonSendResult
    {
        public string Server { get; internal set; }

        public int Port { get; internal set; }

        public CarbonProtocol Protocol { get; internal set; }

        /// <summary>Points carbon confirmed reading (it closed the connection after reading them).</summary>
        public long Sent { get; internal set; }

        /// <summary>Points reported in CarbonSendFailed errors (their TargetObject lists them).</summary>
        public long Failed { get; internal set; }

        /// <summary>Input records refused before sending (CarbonPointInvalid errors).</summary>
        public long Invalid { get; internal set; }

        /// <summary>Empty slots (null values) in the input: gaps, nothing to send.</summary>
        public long Gaps { get; internal set; }

        public int Connections { get; internal set; }

        public int Reconnects { get; internal set; }
    }
}
