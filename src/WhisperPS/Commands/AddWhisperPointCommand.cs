using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Add-WhisperPoint: writes points into whisper files. All the points of one call (one from the parameters, or
    /// any number from the pipeline) go into each file as one whisper update_many against one now, so the file comes
    /// out byte-identical to python whisper.update_many(path, all_points, now), whatever their order or number. The
    /// points are reduced as they arrive to what update_many would write (<see cref="UpdateManyBuffer"/>): memory is
    /// bounded by the files' slots, not by the points piped.
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "WhisperPoint", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class AddWhisperPointCommand : WhisperCmdlet
    {
        /// <summary>Property names a piped record's time is read from, in order, unless -TimestampProperty is given.</summary>
        internal static readonly string[] TimeProperties = { "UnixTime", "Timestamp", "Time" };

        /// <summary>One target file and the points waiting for it.</summary>
        private sealed class Target
        {
            internal Target(string path) => Path = path;

            internal string Path { get; }

            /// <summary>Created at the first point, from the file's header.</summary>
            internal UpdateManyBuffer Buffer { get; set; }

            /// <summary>Set after an error with the file itself, so a corrupt file gets one error, not one per point.</summary>
            internal bool Failed { get; set; }

            /// <summary>Set once the points reached the file (for -PassThru).</summary>
            internal bool Written { get; set; }
        }

        private readonly List<Target> _targets = new List<Target>();
        private bool _valueOnCommandLine;
        private bool _timestampOnCommandLine;
        private long _now;

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

        /// <summary>No longer has an effect: every point of a call is written in one update_many, in memory bounded
        /// by the file's slots. Kept so that existing scripts still bind.</summary>
        [Parameter(DontShow = true)]
        [ValidateRange(1, int.MaxValue)]
        public int BatchSize { get; set; } = 10000;

        /// <summary>Read a piped record's time from this property instead of UnixTime, Timestamp or Time.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TimestampProperty { get; set; }

        /// <summary>Read a piped record's value from this property instead of Value.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ValueProperty { get; set; }

        /// <summary>How long to wait for each file's lock before failing with WhisperLockTimeout; default: as long as it takes.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public double LockTimeout { get; set; }

        /// <summary>Output each file's WhisperInfo after the last write.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            _valueOnCommandLine = IsBound(nameof(Value));
            _timestampOnCommandLine = IsBound(nameof(Timestamp));
            // One now for the whole call, as update_many has one: relative times and every file's retention use it.
            _now = ResolveNow(IsBound(nameof(Now)), Now);
            if (_timestampOnCommandLine && Timestamp.IsUnreadable)
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("Cannot read the time '" + Timestamp.UnreadableText + "'. " + Timestamp.UnreadableReason),
                    ErrorIds.TimestampInvalid, ErrorCategory.InvalidArgument, Timestamp.UnreadableText));
            if (IsBound(nameof(BatchSize)))
                WriteVerbose("-BatchSize has no effect: all points of the call are written in one update_many per file.");

            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var file in ResolveExistingFiles(literal ? LiteralPath : Path, literal))
                _targets.Add(new Target(file.Path));
        }

        protected override void ProcessRecord()
        {
            ThrowIfStopping();
            if (_targets.Count == 0) return;
            object target = (object)InputObject ?? Value;
            bool piped = InputObject != null;

            object rawValue = Value;
            if (piped && !_valueOnCommandLine)
            {
                string name = ValueProperty ?? "Value";
                var property = InputObject.Properties[name];
                if (property == null)
                {
                    WriteError(WhisperErrors.Create(
                        new ArgumentException("The input object has no " + name + " property. Pipe objects with Value and Timestamp " +
                                              "properties (for example from Import-Csv or Get-WhisperSeries), name the value's " +
                                              "property with -ValueProperty, or use -Value."),
                        ErrorIds.ValueInvalid, ErrorCategory.InvalidArgument, target));
                    return;
                }
                rawValue = property.Value;
            }

            if (!TryGetTimestamp(piped, out long timestamp, out string problem, out string errorId))
            {
                WriteError(WhisperErrors.Create(new ArgumentException(problem), errorId, ErrorCategory.InvalidArgument, target));
                return;
            }

            object raw = rawValue is PSObject pso ? pso.BaseObject : rawValue;
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

            foreach (var t in _targets)
            {
                if (t.Failed) continue;
                if (t.Buffer == null && !TryCreateBuffer(t)) continue;
                if (t.Buffer.Add(timestamp, value) == PointFate.NotCovered)
                {
                    // Reported now, as it arrives: whisper drops such a point without a word.
                    var point = new WhisperPoint(t.Path, timestamp, value);
                    WriteError(WhisperErrors.Create(
                        new TimestampNotCoveredException("The point at " + FormatUnix(timestamp) + " is older than the " +
                            "retention of '" + t.Path + "' (" + FormatUnix(_now - t.Buffer.MaxRetention) + " and later) and was not stored."),
                        ErrorIds.PointNotCovered, ErrorCategory.InvalidData, point));
                }
            }
        }

        protected override void EndProcessing()
        {
            foreach (var t in _targets)
            {
                ThrowIfStopping();
                if (t.Buffer != null && !t.Failed && t.Buffer.Accepted > 0) Flush(t);
            }
            if (!PassThru) return;
            foreach (var t in _targets)
            {
                if (t.Failed || !t.Written) continue;
                WriteInfo(t.Path);
            }
        }

        private TimeSpan? LockWait => IsBound(nameof(LockTimeout)) ? TimeSpan.FromSeconds(LockTimeout) : (TimeSpan?)null;

        // Reads the file's header (briefly, under a shared lock) to bucket points as update_many will.
        private bool TryCreateBuffer(Target t)
        {
            try
            {
                using (var f = WhisperFile.Open(t.Path, FileOpenMode.Read, LockWait))
                    t.Buffer = new UpdateManyBuffer(f.Header, _now);
                return true;
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                t.Failed = true;
                WriteFileError(ex, t.Path, FileAccessIntent.Read);
                return false;
            }
        }

        /// <summary>
        /// The point's time in Unix seconds. A piped record's comes from its -TimestampProperty, else its UnixTime
        /// (Unix seconds only), Timestamp or Time property; a record without one is an error, never "now". -Timestamp
        /// on the command line applies to every point; only a -Value without any time means now.
        /// </summary>
        private bool TryGetTimestamp(bool piped, out long timestamp, out string problem, out string errorId)
        {
            timestamp = 0;
            problem = null;
            errorId = ErrorIds.TimestampInvalid;
            WhisperTime time;
            if (_timestampOnCommandLine || !piped)
            {
                time = Timestamp; // the default is now: -Value alone on the command line
            }
            else
            {
                string[] names = TimestampProperty != null ? new[] { TimestampProperty } : TimeProperties;
                PSPropertyInfo found = null;
                foreach (string name in names)
                {
                    var p = InputObject.Properties[name];
                    if (p == null) continue;
                    object v = p.Value is PSObject pv ? pv.BaseObject : p.Value;
                    if (PointValue.IsGap(v)) continue;
                    found = p;
                    break;
                }
                if (found == null)
                {
                    errorId = ErrorIds.TimestampMissing;
                    problem = "The input object has no time: none of its properties " + string.Join(", ", names) +
                              " holds a value. Name the time's property with -TimestampProperty, or give -Timestamp; " +
                              "a piped record is never stored at the current time.";
                    return false;
                }
                object raw = found.Value is PSObject ps ? ps.BaseObject : found.Value;
                bool unixOnly = TimestampProperty == null && found.Name == "UnixTime";
                if (!(unixOnly ? WhisperTime.TryConvertUnixSeconds(raw, out time) : WhisperTime.TryConvert(raw, out time, out problem)))
                {
                    problem = "Cannot read the time '" + raw + "' of property " + found.Name + ". " +
                              (unixOnly ? "UnixTime must be whole Unix seconds." : problem);
                    return false;
                }
            }
            if (time.IsUnreadable)
            {
                problem = "Cannot read the time '" + time.UnreadableText + "'. " + time.UnreadableReason;
                return false;
            }
            timestamp = time.Resolve(_now);
            return true;
        }

        private void Flush(Target t)
        {
            var buffer = t.Buffer;
            if (!ShouldProcess(t.Path, "Add points"))
            {
                t.Failed = true;
                return;
            }

            UpdateResult result;
            var points = buffer.ToList();
            try
            {
                using (var f = WhisperFile.Open(t.Path, FileOpenMode.ReadWrite, LockWait))
                {
                    if (!buffer.Fits(f.Header))
                        WriteWarning("'" + t.Path + "': its archives changed during the call; the points were bucketed for the old layout.");
                    result = f.UpdateMany(points, _now);
                }
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                t.Failed = true;
                WriteFileError(ex, t.Path, FileAccessIntent.Write);
                return;
            }
            WriteVerbose("'" + t.Path + "': wrote " + buffer.Accepted.ToString(CultureInfo.InvariantCulture) + " point(s) " +
                         "in one update_many (" + result.Stored.ToString(CultureInfo.InvariantCulture) + " distinct slot(s); now " + FormatUnix(_now) + ").");
            if (buffer.FutureCount > 0)
            {
                WriteWarning("'" + t.Path + "': " + buffer.FutureCount.ToString(CultureInfo.InvariantCulture) + " point(s) are in the " +
                             "future (the newest at " + FormatUnix(buffer.NewestFuture) + ", now " + FormatUnix(_now) + "). They are stored, " +
                             "as whisper's update_many stores them, but no read shows them until that time.");
            }
            t.Written = true;
            buffer.Clear();
        }
    }
}
