using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace WhisperPS
{
    /// <summary>
    /// A point in time as the time parameters take it: either absolute Unix seconds or an offset from "now".
    /// Relative times stay relative until a cmdlet knows its now (-Now or the clock), so <c>-From -1h -Now $t</c>
    /// means an hour before $t, as whisper-fetch's from/until mean relative to its now.
    /// The default value is "now" (offset 0), which is what a missing -Timestamp means.
    /// </summary>
    public readonly struct WhisperTime : IEquatable<WhisperTime>
    {
        private const string UnitPattern = "seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|h|days|day|d|weeks|week|w|months|month|mon|years|year|y";

        private static readonly Regex RelativePattern = new Regex(
            @"^(?:now)?\s*(?:(?<sign>[+-])\s*(?<n>[0-9]+)\s*(?<unit>" + UnitPattern + @"))?$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The forms the time parameters accept, for error messages and help.</summary>
        public const string AcceptedForms =
            "a [datetime] or [datetimeoffset]; Unix seconds (1767323045); 'now'; a time relative to now such as " +
            "'-1h', '-7d', '-30min', '-90s', '+1h' or 'now-1h' (units s, min or m, h, d, w, mon = 30 days, y = 365 days); " +
            "or a date string such as '2026-01-02T03:04:05Z' (ISO 8601; without an offset it is local time)";

        private readonly long _value;
        private readonly bool _absolute;

        private WhisperTime(long value, bool absolute)
        {
            _value = value;
            _absolute = absolute;
        }

        /// <summary>"now": whatever the cmdlet's now is.</summary>
        public static WhisperTime Now => default(WhisperTime);

        /// <summary>True for "now" and offsets from it.</summary>
        public bool IsRelative => !_absolute;

        /// <summary>Unix seconds when absolute; seconds from now (negative = earlier) when relative.</summary>
        public long Seconds => _value;

        public static WhisperTime FromUnixSeconds(long seconds) => new WhisperTime(seconds, true);

        public static WhisperTime FromOffset(long secondsFromNow) => new WhisperTime(secondsFromNow, false);

        /// <summary>Local and Unspecified kinds are local time, as Get-Date produces them.</summary>
        public static WhisperTime FromDateTime(DateTime time)
        {
            var utc = time.Kind == DateTimeKind.Utc ? time : time.ToUniversalTime();
            return FromUnixSeconds(new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds());
        }

        public static WhisperTime FromDateTimeOffset(DateTimeOffset time) => FromUnixSeconds(time.ToUnixTimeSeconds());

        /// <summary>Unix seconds for this time, given the Unix seconds of now.</summary>
        public long Resolve(long now) => _absolute ? _value : now + _value;

        /// <summary>Parses the string forms; throws <see cref="FormatException"/> naming the accepted forms.</summary>
        public static WhisperTime Parse(string text)
        {
            if (TryParse(text, out var t)) return t;
            throw new FormatException("'" + text + "' is not a time WhisperPS understands. Use " + AcceptedForms + ".");
        }

        public static bool TryParse(string text, out WhisperTime time)
        {
            time = default(WhisperTime);
            if (text == null) return false;
            string s = text.Trim();
            if (s.Length == 0) return false;

            // Numeric strings are Unix seconds: what Export-Csv writes for UnixTime, in any culture.
            if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds))
            {
                time = FromUnixSeconds(seconds);
                return true;
            }
            if (double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture, out double d))
                return TryFromDouble(d, out time);

            var m = RelativePattern.Match(s);
            if (m.Success)
            {
                if (!m.Groups["n"].Success)
                {
                    // "now" alone; the pattern also matches the empty string, excluded above.
                    time = Now;
                    return true;
                }
                if (!long.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                    return false;
                long unit = UnitSeconds(m.Groups["unit"].Value);
                try
                {
                    long offset = checked(n * unit);
                    time = FromOffset(m.Groups["sign"].Value == "-" ? -offset : offset);
                    return true;
                }
                catch (OverflowException)
                {
                    return false;
                }
            }

            // Dates: invariant first, so a script means the same on every machine whatever its culture
            // (compiled cmdlets would otherwise bind dates with the current culture); then the current culture.
            const DateTimeStyles styles = DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeLocal;
            if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, styles, out var dto) ||
                DateTimeOffset.TryParse(s, CultureInfo.CurrentCulture, styles, out dto))
            {
                time = FromDateTimeOffset(dto);
                return true;
            }
            return false;
        }

        /// <summary>Doubles are Unix seconds, truncated like Python's int().</summary>
        internal static bool TryFromDouble(double d, out WhisperTime time)
        {
            time = default(WhisperTime);
            if (double.IsNaN(d) || double.IsInfinity(d) || d >= 9.2e18 || d <= -9.2e18) return false;
            time = FromUnixSeconds((long)Math.Truncate(d));
            return true;
        }

        /// <summary>Converts what a time parameter can receive; false for anything else.</summary>
        public static bool TryConvert(object input, out WhisperTime time)
        {
            time = default(WhisperTime);
            switch (input)
            {
                case null:
                    return false;
                case WhisperTime t:
                    time = t;
                    return true;
                case DateTime dt:
                    time = FromDateTime(dt);
                    return true;
                case DateTimeOffset dto:
                    time = FromDateTimeOffset(dto);
                    return true;
                case string s:
                    return TryParse(s, out time);
                case double d:
                    return TryFromDouble(d, out time);
                case float f:
                    return TryFromDouble(f, out time);
                case decimal m:
                    return TryFromDouble((double)decimal.Truncate(m), out time);
                case ulong ul:
                    if (ul > long.MaxValue) return false;
                    time = FromUnixSeconds((long)ul);
                    return true;
                case char _:
                case bool _:
                    return false;
                case IConvertible c when IsInteger(c.GetTypeCode()):
                    time = FromUnixSeconds(c.ToInt64(CultureInfo.InvariantCulture));
                    return true;
                default:
                    return false;
            }
        }

        private static bool IsInteger(TypeCode code)
        {
            return code == TypeCode.SByte || code == TypeCode.Byte || code == TypeCode.Int16 || code == TypeCode.UInt16 ||
                   code == TypeCode.Int32 || code == TypeCode.UInt32 || code == TypeCode.Int64;
        }

        private static long UnitSeconds(string unit)
        {
            string u = unit.ToLowerInvariant();
            // "mon..." is months and checked before the one-letter "m" (minutes).
            if (u.StartsWith("mon", StringComparison.Ordinal)) return 30L * 86400;
            switch (u[0])
            {
                case 's': return 1;
                case 'm': return 60;
                case 'h': return 3600;
                case 'd': return 86400;
                case 'w': return 7L * 86400;
                default: return 365L * 86400; // 'y'
            }
        }

        public bool Equals(WhisperTime other) => _value == other._value && _absolute == other._absolute;

        public override bool Equals(object obj) => obj is WhisperTime t && Equals(t);

        public override int GetHashCode() => _value.GetHashCode() ^ (_absolute ? 1 : 0);

        public override string ToString()
        {
            if (!_absolute)
                return _value == 0 ? "now" : "now" + (_value > 0 ? "+" : "") + _value.ToString(CultureInfo.InvariantCulture) + "s";
            if (_value >= -62135596800L && _value <= 253402300799L)
                return DateTimeOffset.FromUnixTimeSeconds(_value).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            return _value.ToString(CultureInfo.InvariantCulture);
        }
    }
}
