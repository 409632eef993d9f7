using System;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Set-WhisperAggregation: changes the aggregation method and/or xFilesFactor in the header, as
    /// whisper-set-aggregation-method and whisper-set-xfilesfactor do. Existing points are not re-aggregated.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "WhisperAggregation", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class SetWhisperAggregationCommand : WhisperCmdlet
    {
        private AggregationMethod? _method;
        private double? _xff;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        [Parameter(Position = 1)]
        [AggregationMethodTransformation]
        public AggregationMethod AggregationMethod { get; set; }

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double XFilesFactor { get; set; }

        /// <summary>Output each file's WhisperInfo after the change.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            if (IsBound(nameof(AggregationMethod))) _method = AggregationMethod;
            if (IsBound(nameof(XFilesFactor))) _xff = XFilesFactor;
            if (_method == null && _xff == null)
            {
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("Give -AggregationMethod, -XFilesFactor or both."),
                    ErrorIds.AggregationMissing, ErrorCategory.InvalidArgument, null));
            }
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var file in ResolveExistingFiles(literal ? LiteralPath : Path, literal))
            {
                ThrowIfStopping();
                if (!ShouldProcess(file.Path, Describe())) continue;

                (AggregationMethod Method, float XFilesFactor) old;
                WhisperInfo info = null;
                try
                {
                    using (var f = WhisperFile.Open(file.Path, FileOpenMode.ReadWrite))
                    {
                        old = f.SetAggregation(_method, _xff);
                        if (PassThru) info = WhisperInfo.From(f);
                    }
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Write);
                    continue;
                }
                WriteVerbose("'" + file.Path + "': aggregation " + Aggregation.ToWhisperName(old.Method) + " -> " +
                             Aggregation.ToWhisperName(_method ?? old.Method) + ", xFilesFactor " +
                             old.XFilesFactor.ToString("R", CultureInfo.InvariantCulture) + " -> " +
                             (_xff.HasValue ? (float)_xff.Value : old.XFilesFactor).ToString("R", CultureInfo.InvariantCulture) + ".");
                if (info != null) WriteObject(info);
            }
        }

        private string Describe()
        {
            string text = "Set";
            if (_method.HasValue) text += " aggregation method to " + Aggregation.ToWhisperName(_method.Value);
            if (_method.HasValue && _xff.HasValue) text += " and";
            if (_xff.HasValue) text += " xFilesFactor to " + _xff.Value.ToString("R", CultureInfo.InvariantCulture);
            return text;
        }
    }
}
