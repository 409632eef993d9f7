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
    public sealed class SetWhisperAggregationCommand : WhisperFileInputCmdlet
    {
        private AggregationMethod? _method;
        private double? _xff;

        // Nullable, because PowerShell keeps a parameter bound from one piped record in BoundParameters for the
        // next record too (it only restores the default value): null is the one reliable "not given for this record".

        /// <summary>Bound from the pipeline by name too, so Test-WhisperSchema's records set what carbon expects.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [AggregationMethodTransformation]
        public AggregationMethod? AggregationMethod { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0.0, 1.0)]
        public double? XFilesFactor { get; set; }

        /// <summary>Output each file's WhisperInfo after the change.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            // Without input, both missing is a usage error; with input, each record may still bring them by name.
            if (!MyInvocation.ExpectingInput && AggregationMethod == null && XFilesFactor == null)
                ThrowTerminatingError(MissingBoth(null));
        }

        private static ErrorRecord MissingBoth(object target) => WhisperErrors.Create(
            new ArgumentException("Give -AggregationMethod, -XFilesFactor or both."),
            ErrorIds.AggregationMissing, ErrorCategory.InvalidArgument, target);

        protected override void ProcessRecord()
        {
            _method = AggregationMethod;
            _xff = XFilesFactor;
            if (_method == null && _xff == null)
            {
                WriteError(MissingBoth(FirstInputPath));
                return;
            }
            foreach (var file in ResolveInputFiles())
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
