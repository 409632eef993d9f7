using System.Management.Automation;

namespace WhisperPS
{
    /// <summary>The time of a piped point, read the same way by every cmdlet that takes points from the pipeline.</summary>
    internal static class PipedTimestamp
    {
        /// <summary>A piped object's UnixTime first (exact and culture-free after a CSV round trip) unless -Timestamp
        /// was given on the command line, then the bound Timestamp, which defaults to now.</summary>
        internal static bool TryGet(PSObject input, bool timestampOnCommandLine, WhisperTime bound, long now, out long timestamp, out string bad)
        {
            bad = null;
            var time = bound;
            if (input != null && !timestampOnCommandLine)
            {
                var unixTime = input.Properties["UnixTime"]?.Value;
                object rawUnix = unixTime is PSObject p ? p.BaseObject : unixTime;
                if (!PointValue.IsGap(rawUnix) && !WhisperTime.TryConvert(rawUnix, out time))
                {
                    timestamp = 0;
                    bad = rawUnix.ToString();
                    return false;
                }
            }
            if (time.IsUnreadable)
            {
                timestamp = 0;
                bad = time.UnreadableText;
                return false;
            }
            timestamp = time.Resolve(now);
            return true;
        }
    }
}
