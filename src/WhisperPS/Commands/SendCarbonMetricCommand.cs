using System;
using System.Collections.Generic;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Send-CarbonMetric: sends points to a carbon-relay, carbon-c-relay or carbon-cache over the plaintext or the
    /// pickle protocol, confirming delivery and reporting every point that could not be delivered.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "CarbonMetric", SupportsShouldProcess = true)]
    [OutputType(typeof(CarbonSendResult))]
    public sealed class SendCarbonMetricCommand : WhisperCmdlet
    {
        private readonly List<CarbonDatapoint> _batch = new List<CarbonDatapoint>();
        private CarbonSender _sender;
        private CarbonSendResult _result;
        private bool? _approved;
        private bool _valueOnCommandLine, _timestampOnCommandLine, _nowGiven;
        private long _fixedNow;

        /// <summary>The piped object (so its UnixTime can win over its Timestamp).</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject InputObject { get; set; }

        /// <summary>The metric name; from the command line it names every piped point.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        public string Metric { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        public object Value { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Time", "UnixTime")]
        [WhisperTimeTransformation(DeferInvalid = true)]
        public WhisperTime Timestamp { get; set; }

        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        /// <summary>The relay or cache to send to (a name or address, resolved once per connection).</summary>
        [Parameter]
        [Alias("ComputerName")]
        [ValidateNotNullOrEmpty]
        public string Server { get; set; } = "127.0.0.1";

        /// <summary>Default 2003 (plaintext) or 2004 (pickle), carbon's defaults.</summary>
        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        [Parameter]
        public CarbonProtocol Protocol { get; set; } = CarbonProtocol.Plaintext;

        /// <summary>Points per write (a pickle batch is split further to stay under -MaxPickleBytes).</summary>
        [Parameter]
        [ValidateRange(1, 1000000)]
        public int BatchSize { get; set; } = 500;

        /// <summary>carbon's PICKLE_RECEIVER_MAX_LENGTH (default 1 MiB): larger messages are refused by carbon.</summary>
        [Parameter]
        [ValidateRange(64, int.MaxValue)]
        public int MaxPickleBytes { get; set; } = CarbonWire.DefaultMaxPickleBytes;

        [Parameter]
        [ValidateRange(0, 100)]
        public int RetryCount { get; set; } = 3;

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 60;

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            _valueOnCommandLine = IsBound(nameof(Value));
            _timestampOnCommandLine = IsBound(nameof(Timestamp));
            _nowGiven = IsBound(nameof(Now));
            if (_nowGiven) _fixedNow = ResolveNow(true, Now);
            int port = IsBound(nameof(Port)) ? Port : Protocol == CarbonProtocol.Pickle ? 2004 : 2003;
            _sender = new CarbonSender(Server, port, Protocol)
            {
                MaxPickleBytes = MaxPickleBytes,
                Retries = RetryCount,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                Cancellation = CancellationToken,
                OnRetry = m => WriteWarning(m),
            };
            _result = new CarbonSendResult { Server = Server, Port = port, Protocol = Protocol };
        }

        protected override void ProcessRecord()
        {
            ThrowIfStopping();
            object target = (object)InputObject ?? Value;
            string metric = Metric;
            if (string.IsNullOrEmpty(metric))
            {
                Invalid(target, InputObject != null && InputObject.BaseObject is WhisperPoint
                    ? "A WhisperPoint carries its file's path, not a metric name: give -Metric."
                    : "The point has no metric name: pipe objects with a Metric property or give -Metric.");
                return;
            }
            if (InputObject != null && !_valueOnCommandLine && InputObject.Properties["Value"] == null)
            {
                Invalid(target, "The input object has no Value property. Pipe objects with Metric, Value and Timestamp properties, or use -Value.");
                return;
            }
            if (!PipedTimestamp.TryGet(InputObject, _timestampOnCommandLine, Timestamp, null, _nowGiven ? _fixedNow : Clock.UnixNow(),
                    out long timestamp, out string timeProblem, out string timeErrorId))
            {
                Invalid(target, timeProblem, timeErrorId);
                return;
            }
            object raw = Value is PSObject pso ? pso.BaseObject : Value;
            if (PointValue.IsGap(raw))
            {
                _result.Gaps++;
                return;
            }
            if (!PointValue.TryParse(raw, out double value))
            {
                Invalid(target, "The value '" + raw + "' at " + FormatUnix(timestamp) + " is not a number.", ErrorIds.ValueInvalid);
                return;
            }
            string problem = CarbonWire.Problem(metric, value);
            if (problem != null)
            {
                Invalid(target, "Carbon would not store this point: " + problem + ".");
                return;
            }
            _batch.Add(new CarbonDatapoint(metric, timestamp, value));
            if (_batch.Count >= BatchSize) SendBatch();
        }

        protected override void EndProcessing()
        {
            SendBatch();
            if (_approved == true)
            {
                try
                {
                    _sender.Flush();
                }
                catch (CarbonSendException ex)
                {
                    Failed(ex);
                }
            }
            _result.Sent = _sender.Confirmed;
            _result.Connections = _sender.Connections;
            _result.Reconnects = _sender.Reconnects;
            WriteVerbose("Carbon at " + _result.Server + ":" + _result.Port + " confirmed " + _result.Sent + " points; " + _result.Failed + " failed, " +
                _result.Invalid + " invalid, " + _result.Gaps + " gaps skipped.");
            if (PassThru) WriteObject(_result);
        }

        private void SendBatch()
        {
            if (_batch.Count == 0) return;
            if (_approved == null)
                _approved = ShouldProcess(_sender.Host + ":" + _sender.Port, "Send points (" + Protocol + ")");
            if (_approved == false)
            {
                _batch.Clear();
                return;
            }
            try
            {
                _sender.Send(_batch);
            }
            catch (CarbonSendException ex)
            {
                Failed(ex);
            }
            _batch.Clear();
        }

        private void Failed(CarbonSendException ex)
        {
            _result.Failed += ex.Unsent.Count;
            var unsent = new CarbonDatapoint[ex.Unsent.Count];
            for (int i = 0; i < unsent.Length; i++) unsent[i] = ex.Unsent[i];
            WriteError(WhisperErrors.Create(ex, ErrorIds.CarbonSendFailed, ErrorCategory.ConnectionError, unsent));
        }

        private void Invalid(object target, string message, string errorId = ErrorIds.CarbonPointInvalid)
        {
            _result.Invalid++;
            WriteError(WhisperErrors.Create(new ArgumentException(message), errorId, ErrorCategory.InvalidData, target));
        }
    }
}
