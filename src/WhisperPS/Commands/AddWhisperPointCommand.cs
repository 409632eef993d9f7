using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Add-WhisperPoint: writes points into whisper files. Points (one from the parameters, or many from the
    /// pipeline) are buffered per file and written with whisper's update_many every -BatchSize points and at the
    /// end, so a million piped points cost a few hundred file opens, and the file comes out byte-identical to
    /// python whisper.update_many(path, points, now) for the same points and now.
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "WhisperPoint", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class AddWhisperPointCommand : WhisperCmdlet
    {
        /// <summary>One target file and the points waiting for it.</summary>
        private sealed class Target
        {
            internal Target(string path) => Path = path;

            internal string Path { get; }

            internal List<Point> Pending { get; } = new List<Point>();

            /// <summary>ShouldProcess answer, asked once per file at its first write.</summary>
            internal bool? Approved { get; set; }

            /// <summary>Set after an error with the file itself, so a corrupt file gets one error, not one per batch.</summary>
            internal bool Failed { get; set; }

            internal long Written { get; set; }
        }

        private readonly List<Target> _targets = new List<Target>();
        private bool _valueOnCommandLine;
        private bool _timestampOnCommandLine;
        private bool _nowGiven;
        private long _fixedNow;

        /// <summary>Files to write to. Deliberately not bound from the pipeline: a piped point's Path property
        /// (Get-WhisperSeries output) must never redirect writes into another file.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>A number, a numeric string, nan or inf. Null or empty is a gap: skipped.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowNull]
        [AllowEmptyString]
        public object Value { get; set; }

        /// <summary>When the point was measured; default now.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Time", "UnixTime")]
        [WhisperTimeTransformation(DeferInvalid = true)]
        public WhisperTime Timestamp { get; set; }

        /// <summary>What "now" is for retention and relative timestamps; default the clock.</summary>
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        /// <summary>The piped object, so its UnixTime (exact and culture-free after a CSV round trip) can win
        /// over its Timestamp.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        public PSObject InputObject { get; set; }

        /// <summary>Points per file per update_many write.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int BatchSize { get; set; } = 10000;

        /// <summary>Output each file's WhisperInfo after the last write.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            _valueOnCommandLine = IsBound(nameof(Value));
            _timestampOnCommandLine = IsBound(nameof(Timestamp));
            _nowGiven = IsBound(nameof(Now));
            if (_nowGiven) _fixedNow = ResolveNow(true, Now);
            if (_timestampOnCommandLine && Timestamp.IsUnreadable)
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("Cannot read the time '" + Timestamp.UnreadableText + "'. Use " + WhisperTime.AcceptedForms + "."),
                    ErrorIds.TimestampInvalid, ErrorCategory.InvalidArgument, Timestamp.UnreadableText));

            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var file in ResolveExistingFiles(literal ? LiteralPath : Path, literal))
                _targets.Add(new Target(file.Path));
        }

        protected override void ProcessRecord()
        {
            ThrowIfStopping();
            if (_targets.Count == 0) return;
            object target = (object)InputObject ?? Value;

            if (InputObject != null && !_valueOnCommandLine && InputObject.Properties["Value"] == null)
            {
                WriteError(WhisperErrors.Create(
                    new ArgumentException("The input object has no Value property. Pipe objects with Value and Timestamp " +
                                          "properties (for example from Import-Csv or Get-WhisperSeries), or use -Value."),
                    ErrorIds.ValueInvalid, ErrorCategory.InvalidArgument, target));
                return;
            }

            if (!TryGetTimestamp(out long timestamp, out string badTime))
            {
                WriteError(WhisperErrors.Create(
                    new ArgumentException("Cannot read the time '" + badTime + "'. Use " + WhisperTime.AcceptedForms + "."),
                    ErrorIds.TimestampInvalid, ErrorCategory.InvalidArgument, target));
                return;
            }

            object raw = Value is PSObject pso ? pso.BaseObject : Value;
            if (PointValue.IsGap(raw))
            {
                WriteVerbose("No value at " + FormatUnix(timestamp) + ": a gap, skipped.");
                return;
            }
            if (!PointValue.TryParse(raw, out double value))
            {
                WriteError(WhisperErrors.Create(
                    new ArgumentException("The value '" + raw + "' at " + FormatUnix(timestamp) + " is not a number."),
                    ErrorIds.ValueInvalid, ErrorCategory.InvalidArgument, target));
                return;
            }
            if (timestamp < 0 || timestamp > uint.MaxValue)
            {
                WriteError(WhisperErrors.Create(new InvalidTimestampException(timestamp),
                    ErrorIds.TimestampInvalid, ErrorCategory.InvalidArgument, target));
                return;
            }

            var point = new Point(timestamp, value);
            foreach (var t in _targets)
            {
                if (t.Failed || t.Approved == false) continue;
                t.Pending.Add(point);
                if (t.Pending.Count >= BatchSize) Flush(t);
            }
        }

        protected override void EndProcessing()
        {
            foreach (var t in _targets)
            {
                ThrowIfStopping();
                if (t.Pending.Count > 0) Flush(t);
            }
            if (!PassThru) return;
            foreach (var t in _targets)
            {
                if (t.Failed || t.Approved != true) continue;
                WriteInfo(t.Path);
            }
        }

        /// <summary>The point's time in Unix seconds: a piped object's UnixTime first (unless -Timestamp was
        /// given), then the bound Timestamp, which defaults to now.</summary>
        private bool TryGetTimestamp(out long timestamp, out string bad)
        {
            return PipedTimestamp.TryGet(InputObject, _timestampOnCommandLine, Timestamp, _nowGiven ? _fixedNow : Clock.UnixNow(), out timestamp, out bad);
        }

        private void Flush(Target t)
        {
            var points = t.Pending;
            if (t.Approved == null)
            {
                // Asked once per file, at its first write, so -Confirm prompts per file rather than per batch.
                t.Approved = ShouldProcess(t.Path, "Add points");
            }
            if (t.Approved == false || t.Failed)
            {
                points.Clear();
                return;
            }

            long now = _nowGiven ? _fixedNow : Clock.UnixNow();
            UpdateResult result;
            long retention;
            try
            {
                using (var f = WhisperFile.Open(t.Path, FileOpenMode.ReadWrite))
                {
                    retention = f.Header.MaxRetention;
                    result = f.UpdateMany(points, now);
                }
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                t.Failed = true;
                points.Clear();
                WriteFileError(ex, t.Path, FileAccessIntent.Write);
                return;
            }
            int count = points.Count;
            points.Clear();
            t.Written += result.Stored;
            WriteVerbose("'" + t.Path + "': wrote " + result.Stored.ToString(CultureInfo.InvariantCulture) + " of " +
                         count.ToString(CultureInfo.InvariantCulture) + " point(s) (now " + FormatUnix(now) + ").");
            foreach (var dropped in result.Dropped)
            {
                var point = new WhisperPoint(t.Path, dropped.Timestamp, dropped.Value);
                WriteError(WhisperErrors.Create(
                    new TimestampNotCoveredException("The point at " + FormatUnix(dropped.Timestamp) + " is older than the " +
                        "retention of '" + t.Path + "' (" + FormatUnix(now - retention) + " and later) and was not stored."),
                    ErrorIds.PointNotCovered, ErrorCategory.InvalidData, point));
            }
        }
    }
}
