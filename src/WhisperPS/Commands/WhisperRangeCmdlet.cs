using System;
using System.Management.Automation;

namespace WhisperPS.Commands
{
    /// <summary>
    /// A cmdlet over existing files and a time range: -From, -Until and -Now, resolved once per call against the
    /// same now, so relative times such as -1h mean the same instant for every file.
    /// </summary>
    public abstract class WhisperRangeCmdlet : WhisperFileInputCmdlet
    {
        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime From { get; set; }

        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Until { get; set; }

        [Parameter]
        [WhisperTimeTransformation]
        public WhisperTime Now { get; set; }

        /// <summary>-Now in Unix seconds (the clock when not given).</summary>
        internal long RangeNow { get; private set; }

        /// <summary>-From in Unix seconds, or the cmdlet's default.</summary>
        internal long RangeFrom { get; private set; }

        /// <summary>-Until in Unix seconds, or now.</summary>
        internal long RangeUntil { get; private set; }

        /// <summary>Where the range starts when -From is not given, for a given now.</summary>
        internal abstract long DefaultFrom(long now);

        /// <summary>Resolves the range; a -From after -Until stops the command before any file is touched.</summary>
        protected void ResolveRange()
        {
            // -From -86400 arrives as a number: neither Unix seconds (never negative) nor an offset (no unit).
            foreach (var (name, time) in new[] { (nameof(From), From), (nameof(Until), Until), (nameof(Now), Now) })
            {
                if (IsBound(name) && !time.IsRelative && time.Seconds < 0)
                    ThrowTerminatingError(WhisperErrors.Create(
                        new ArgumentException("-" + name + " " + time.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) +
                            " is not a time: Unix seconds are never negative; for a time relative to now give a unit, as in '" +
                            time.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s' or '-1d'."),
                        ErrorIds.TimestampInvalid, ErrorCategory.InvalidArgument, time.Seconds));
            }
            RangeNow = ResolveNow(IsBound(nameof(Now)), Now);
            RangeFrom = IsBound(nameof(From)) ? From.Resolve(RangeNow) : DefaultFrom(RangeNow);
            RangeUntil = IsBound(nameof(Until)) ? Until.Resolve(RangeNow) : RangeNow;
            if (RangeFrom > RangeUntil)
            {
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("-From " + FormatUnix(RangeFrom) + " is after -Until " + FormatUnix(RangeUntil) + "."),
                    ErrorIds.TimeIntervalInvalid, ErrorCategory.InvalidArgument, From));
            }
        }
    }
}
