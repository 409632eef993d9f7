using System.Management.Automation;

namespace WhisperPS
{
    /// <summary>The time of a point, read the same way by every cmdlet that takes points from the pipeline
    /// (Add-WhisperPoint, Send-CarbonMetric).</summary>
    internal static class PipedTimestamp
    {
        /// <summary>The properties a piped record's time is looked for in, in this order.</summary>
        internal static readonly string[] TimeProperties = { "UnixTime", "Timestamp", "Time" };

        /// <summary>
        /// The point's time in Unix seconds. A piped record's (<paramref name="input"/> not null) comes from its
        /// <paramref name="timestampProperty"/>, else its UnixTime (Unix seconds only), Timestamp or Time property; a
        /// record without one is an error (WhisperTimestampMissing), never "now". -Timestamp on the command line
        /// applies to every point; only a value without any time means now.
        /// </summary>
        internal static bool TryGet(PSObject input, bool timestampOnCommandLine, WhisperTime bound, string timestampProperty, long now,
            out long timestamp, out string problem, out string errorId)
        {
            timestamp = 0;
            problem = null;
            errorId = ErrorIds.TimestampInvalid;
            WhisperTime time;
            if (timestampOnCommandLine || input == null)
            {
                time = bound; // the default is now: a value alone on the command line
            }
            else
            {
                string[] names = timestampProperty != null ? new[] { timestampProperty } : TimeProperties;
                PSPropertyInfo found = null;
                foreach (string name in names)
                {
                    var p = input.Properties[name];
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
                bool unixOnly = timestampProperty == null && found.Name == "UnixTime";
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
            timestamp = time.Resolve(now);
            return true;
        }
    }
}
