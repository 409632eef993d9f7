using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace WhisperPS
{
    /// <summary>
    /// A point in time as the time parameters take it: absolute Unix seconds, an offset from "now", or a calendar
    /// reference such as 'midnight-1d' (graphite-web's from/until forms). Relative times stay relative until a
    /// cmdlet knows its now (-Now or the clock), so <c>-From -1h -Now $t</c> means an hour before $t.
    /// The default value is "now" (offset 0), which is what a missing -Timestamp on the command line means.
    /// </summary>
    public readonly struct WhisperTime : IEquatable<WhisperTime>
    {
        /// <summary>The forms the time parameters accept, for error messages and help.</summary>
        public const string AcceptedForms =
            "a [datetime] or [datetimeoffset]; Unix seconds (1767323045); ISO 8601 ('2026-01-02T03:04:05Z'; without an " +
            "offset it is local time); graphite-web's forms: 'now', '-1h', '-7d', '-30min', '-1mon', 'now-1h', '+1h' " +
            "(units s, min, h, d, w, mon = 30 days, y = 365 days), 'today', 'yesterday', 'midnight', 'noon', " +
            "'midnight-1d', '14:00', '14:00_20261130', '20261130' (YYYYMMDD), 'dec1', 'monday' (in the local time zone); " +
            "or a date in the current culture's format";

        private static readonly Regex IsoPattern = new Regex(
            @"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,7})?)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$",
            RegexOptions.CultureInvariant);

        private static readonly string[] Months = { "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
        private static readonly string[] Weekdays = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

        private readonly long _value;
        private readonly bool _absolute;
        private readonly string _unreadable;
        private readonly string _reason;
        private readonly CalendarReference _calendar;

        private WhisperTime(long value, bool absolute, string unreadable = null, string reason = null, CalendarReference calendar = null)
        {
            _value = value;
            _absolute = absolute;
            _unreadable = unreadable;
            _reason = reason;
            _calendar = calendar;
        }

        /// <summary>
        /// A piped time that did not parse, kept so the cmdlet can report this one point instead of the whole
        /// record failing at parameter binding.
        /// </summary>
        internal static WhisperTime Unreadable(string text, string reason = null) =>
            new WhisperTime(0, false, text ?? string.Empty, reason ?? "Use " + AcceptedForms + ".");

        internal bool IsUnreadable => _unreadable != null;

        internal string UnreadableText => _unreadable;

        /// <summary>Why the text is not a time, and what is accepted.</summary>
        internal string UnreadableReason => _reason;

        /// <summary>"now": whatever the cmdlet's now is.</summary>
        public static WhisperTime Now => default(WhisperTime);

        /// <summary>True for "now", offsets from it and calendar references (which depend on now).</summary>
        public bool IsRelative => !_absolute;

        /// <summary>Unix seconds when absolute; seconds from now (or from the calendar reference) when relative.</summary>
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
        public long Resolve(long now)
        {
            if (_unreadable != null) throw new FormatException("'" + _unreadable + "' is not a time WhisperPS understands. " + _reason);
            if (_calendar != null) return _calendar.Resolve(now) + _value;
            return _absolute ? _value : now + _value;
        }

        /// <summary>Parses the string forms; throws <see cref="FormatException"/> saying why and naming the accepted forms.</summary>
        public static WhisperTime Parse(string text)
        {
            if (TryParse(text, out var t, out string problem)) return t;
            throw new FormatException(problem);
        }

        public static bool TryParse(string text, out WhisperTime time) => TryParse(text, out time, out _);

        /// <summary>
        /// Reads a string time, in this order: ISO 8601 (an offset or Z is honoured, none means local time);
        /// graphite-web's forms (epoch seconds, YYYYMMDD, relative offsets, calendar words); a date in the current
        /// culture's own format (as Export-Csv writes it); any other date only when every reading agrees
        /// (current culture, invariant culture, day-first), else it is ambiguous and refused.
        /// </summary>
        public static bool TryParse(string text, out WhisperTime time, out string problem)
        {
            time = default(WhisperTime);
            problem = null;
            if (text == null)
            {
                problem = "No time given. Use " + AcceptedForms + ".";
                return false;
            }
            string s = text.Trim();
            if (s.Length == 0)
            {
                problem = "An empty string is not a time. Use " + AcceptedForms + ".";
                return false;
            }

            if (IsoPattern.IsMatch(s))
            {
                if (DateTimeOffset.TryParse(s.Replace(',', '.'), CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeLocal | DateTimeStyles.AllowWhiteSpaces, out var iso))
                {
                    time = FromDateTimeOffset(iso);
                    return true;
                }
                problem = "'" + text + "' looks like ISO 8601 but is not a valid date or time.";
                return false;
            }

            // Non-negative decimals are Unix seconds, truncated like Python's int().
            if (s[0] != '-' && s[0] != '+' && s.IndexOf('.') > 0 &&
                double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double d))
                return TryFromDouble(d, out time);

            string graphiteProblem;
            if (TryParseGraphite(s, out time, out graphiteProblem)) return true;
            if (TryParseCulture(s, out time, out string cultureProblem)) return true;
            problem = "'" + text + "' is not a time WhisperPS understands: " + (cultureProblem ?? graphiteProblem) + " Use " + AcceptedForms + ".";
            return false;
        }

        // ---- graphite-web's parseATTime --------------------------------------------------------------------------

        private static bool TryParseGraphite(string text, out WhisperTime time, out string problem)
        {
            time = default(WhisperTime);
            problem = null;
            string s = text.ToLowerInvariant().Replace("_", "").Replace(",", "").Replace(" ", "");
            if (s.Length == 0) { problem = "it is empty."; return false; }

            if (AllDigits(s))
            {
                if (!(s.Length == 8 && LooksLikeYmd(s)))
                {
                    if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
                    {
                        time = FromUnixSeconds(seconds);
                        return true;
                    }
                    problem = "the number is too large.";
                    return false;
                }
            }

            int cut = s.IndexOf('+');
            if (cut < 0) cut = s.IndexOf('-');
            string reference = cut < 0 ? s : s.Substring(0, cut);
            string offsetText = cut < 0 ? string.Empty : s.Substring(cut);

            if (!TryParseOffset(offsetText, out long offset, out problem)) return false;
            if (reference.Length == 0 || reference == "now")
            {
                time = FromOffset(offset);
                return true;
            }
            if (!TryParseReference(reference, out var calendar, out problem)) return false;
            time = new WhisperTime(offset, false, calendar: calendar);
            return true;
        }

        private static bool TryParseOffset(string offset, out long seconds, out string problem)
        {
            seconds = 0;
            problem = null;
            if (offset.Length == 0) return true;
            int sign = offset[0] == '-' ? -1 : 1;
            int i = 1;
            if (i >= offset.Length)
            {
                problem = "'" + offset + "' has no offset after the sign.";
                return false;
            }
            try
            {
                while (i < offset.Length)
                {
                    int start = i;
                    while (i < offset.Length && char.IsDigit(offset[i])) i++;
                    if (i == start)
                    {
                        problem = "the offset '" + offset + "' needs a number before each unit.";
                        return false;
                    }
                    long n = long.Parse(offset.Substring(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture);
                    int unitStart = i;
                    while (i < offset.Length && char.IsLetter(offset[i])) i++;
                    string unit = offset.Substring(unitStart, i - unitStart);
                    if (unit.Length == 0)
                    {
                        // graphite refuses a bare number too: '-86400' is neither Unix seconds nor a relative time.
                        problem = "the offset '" + offset + "' has no unit (write '" + offset + "s' for seconds; Unix seconds are never negative).";
                        return false;
                    }
                    long unitSeconds = UnitSeconds(unit);
                    if (unitSeconds == 0)
                    {
                        problem = "'" + unit + "' is not a time unit (s, min, h, d, w, mon, y).";
                        return false;
                    }
                    seconds = checked(seconds + sign * checked(n * unitSeconds));
                }
            }
            catch (OverflowException)
            {
                problem = "the offset '" + offset + "' is too large.";
                return false;
            }
            return true;
        }

        /// <summary>graphite's units by prefix ('s', 'min', 'h', 'd', 'w', 'mon', 'y'), plus 'm' for minutes; 0 if unknown.</summary>
        private static long UnitSeconds(string unit)
        {
            if (unit.StartsWith("s", StringComparison.Ordinal)) return 1;
            if (unit.StartsWith("min", StringComparison.Ordinal) || unit == "m") return 60;
            if (unit.StartsWith("h", StringComparison.Ordinal)) return 3600;
            if (unit.StartsWith("d", StringComparison.Ordinal)) return 86400;
            if (unit.StartsWith("w", StringComparison.Ordinal)) return 7L * 86400;
            if (unit.StartsWith("mon", StringComparison.Ordinal)) return 30L * 86400;
            if (unit.StartsWith("y", StringComparison.Ordinal)) return 365L * 86400;
            return 0;
        }

        private static bool TryParseReference(string reference, out CalendarReference calendar, out string problem)
        {
            calendar = null;
            problem = null;
            string r = reference;
            int hour = 0, minute = 0;
            try
            {
                int i = r.IndexOf(':');
                if (i > 0 && i < 3)
                {
                    hour = int.Parse(r.Substring(0, i), NumberStyles.None, CultureInfo.InvariantCulture);
                    minute = int.Parse(r.Substring(i + 1, Math.Min(2, r.Length - i - 1)), NumberStyles.None, CultureInfo.InvariantCulture);
                    r = r.Length > i + 3 ? r.Substring(i + 3) : string.Empty;
                    if (r.StartsWith("am", StringComparison.Ordinal)) r = r.Substring(2);
                    else if (r.StartsWith("pm", StringComparison.Ordinal)) { hour = (hour + 12) % 24; r = r.Substring(2); }
                }
                i = r.IndexOf("am", StringComparison.Ordinal);
                if (i > 0 && i < 3) { hour = int.Parse(r.Substring(0, i), NumberStyles.None, CultureInfo.InvariantCulture); r = r.Substring(i + 2); }
                i = r.IndexOf("pm", StringComparison.Ordinal);
                if (i > 0 && i < 3) { hour = (int.Parse(r.Substring(0, i), NumberStyles.None, CultureInfo.InvariantCulture) + 12) % 24; r = r.Substring(i + 2); }
            }
            catch (FormatException)
            {
                problem = "'" + reference + "' has an unreadable time of day.";
                return false;
            }
            if (r.StartsWith("noon", StringComparison.Ordinal)) { hour = 12; minute = 0; r = r.Substring(4); }
            else if (r.StartsWith("midnight", StringComparison.Ordinal)) { hour = 0; minute = 0; r = r.Substring(8); }
            else if (r.StartsWith("teatime", StringComparison.Ordinal)) { hour = 16; minute = 0; r = r.Substring(7); }
            if (hour > 23 || minute > 59)
            {
                problem = "'" + reference + "' has a time of day outside 00:00..23:59.";
                return false;
            }

            var c = new CalendarReference { Hour = hour, Minute = minute };
            if (r.Length == 0 || r == "today") { }
            else if (r == "yesterday") c.DayShift = -1;
            else if (r == "tomorrow") c.DayShift = 1;
            else if (r.Length == 8 && AllDigits(r))
            {
                int y = int.Parse(r.Substring(0, 4), CultureInfo.InvariantCulture), m = int.Parse(r.Substring(4, 2), CultureInfo.InvariantCulture),
                    d = int.Parse(r.Substring(6, 2), CultureInfo.InvariantCulture);
                if (y < 1 || m < 1 || m > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
                {
                    problem = "'" + r + "' is not a valid YYYYMMDD date.";
                    return false;
                }
                c.Year = y; c.Month = m; c.Day = d;
            }
            else if (r.Length >= 4 && Array.IndexOf(Months, r.Substring(0, 3)) >= 0)
            {
                int digits = r.Length >= 2 && char.IsDigit(r[r.Length - 2]) && char.IsDigit(r[r.Length - 1]) ? 2 : char.IsDigit(r[r.Length - 1]) ? 1 : 0;
                if (digits == 0)
                {
                    problem = "a day of the month is required after the month name ('dec1').";
                    return false;
                }
                c.Month = Array.IndexOf(Months, r.Substring(0, 3)) + 1;
                c.Day = int.Parse(r.Substring(r.Length - digits), CultureInfo.InvariantCulture);
                if (c.Day < 1 || c.Day > 31)
                {
                    problem = "'" + r + "' has no valid day of the month.";
                    return false;
                }
            }
            else if (r.Length >= 3 && Array.IndexOf(Weekdays, r.Substring(0, 3)) >= 0)
            {
                c.Weekday = Array.IndexOf(Weekdays, r.Substring(0, 3));
            }
            else
            {
                problem = "'" + reference + "' is not a day reference graphite knows (today, yesterday, tomorrow, YYYYMMDD, dec1, monday).";
                return false;
            }
            c.Text = reference;
            calendar = c;
            return true;
        }

        private static bool AllDigits(string s)
        {
            foreach (char ch in s) if (ch < '0' || ch > '9') return false;
            return s.Length > 0;
        }

        // graphite: eight digits with year > 1900, month < 13 and day < 32 are YYYYMMDD, not Unix seconds.
        private static bool LooksLikeYmd(string s)
        {
            int y = int.Parse(s.Substring(0, 4), CultureInfo.InvariantCulture);
            int m = int.Parse(s.Substring(4, 2), CultureInfo.InvariantCulture);
            int d = int.Parse(s.Substring(6, 2), CultureInfo.InvariantCulture);
            return y > 1900 && m < 13 && d < 32;
        }

        /// <summary>A calendar reference: a day (given, or today shifted, or the last such weekday) at a time of
        /// day, in the local time zone, as graphite-web reads them in its TIME_ZONE.</summary>
        private sealed class CalendarReference
        {
            internal int? Year, Month, Day, Weekday;
            internal int Hour, Minute, DayShift;
            internal string Text;

            internal long Resolve(long now)
            {
                var zone = TimeZoneInfo.Local;
                var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(now), zone).DateTime;
                int year = Year ?? local.Year, month = Month ?? local.Month;
                int day = Day ?? local.Day;
                if (day > DateTime.DaysInMonth(year, month))
                    throw new FormatException("'" + Text + "' names a day that " + year.ToString(CultureInfo.InvariantCulture) + " does not have.");
                var wall = new DateTime(year, month, day, Hour, Minute, 0, DateTimeKind.Unspecified).AddDays(DayShift);
                if (Weekday.HasValue)
                {
                    int back = (int)wall.DayOfWeek - Weekday.Value;
                    if (back < 0) back += 7;
                    wall = wall.AddDays(-back);
                }
                // As pytz's localize() by default: a wall time that does not exist or exists twice (DST changes)
                // takes the zone's standard offset.
                var offset = zone.IsInvalidTime(wall) || zone.IsAmbiguousTime(wall) ? zone.BaseUtcOffset : zone.GetUtcOffset(wall);
                return new DateTimeOffset(wall, offset).ToUnixTimeSeconds();
            }
        }

        // ---- culture-formatted dates -----------------------------------------------------------------------------

        private static readonly CultureInfo DayFirst = CultureInfo.GetCultureInfo("en-GB");

        private static bool TryParseCulture(string s, out WhisperTime time, out string problem)
        {
            time = default(WhisperTime);
            problem = null;
            var culture = CultureInfo.CurrentCulture;
            const DateTimeStyles styles = DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeLocal;
            // The current culture's own formats (what Export-Csv and ToString() write here) are read in it.
            if (DateTimeOffset.TryParseExact(s, OwnFormats(culture), culture, styles, out var own))
            {
                time = FromDateTimeOffset(own);
                return true;
            }
            // Anything else only when every reading agrees: '01.12.2026' is 1 December day-first, 12 January month-first.
            var readings = new List<long>();
            foreach (var c in new[] { culture, CultureInfo.InvariantCulture, DayFirst })
            {
                if (DateTimeOffset.TryParse(s, c, styles, out var dto))
                {
                    long t = dto.ToUnixTimeSeconds();
                    if (!readings.Contains(t)) readings.Add(t);
                }
            }
            if (readings.Count == 1)
            {
                time = FromUnixSeconds(readings[0]);
                return true;
            }
            if (readings.Count > 1)
                problem = "the date is ambiguous: it reads as " + string.Join(" or ", readings.ConvertAll(t =>
                    DateTimeOffset.FromUnixTimeSeconds(t).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))) +
                    " depending on the culture. Write it as ISO 8601 (2026-12-01T14:00:00Z) or pass Unix seconds.";
            return false;
        }

        private static readonly Dictionary<string, string[]> FormatCache = new Dictionary<string, string[]>();

        private static string[] OwnFormats(CultureInfo culture)
        {
            lock (FormatCache)
            {
                if (FormatCache.TryGetValue(culture.Name, out var cached)) return cached;
                var list = new List<string>();
                foreach (char f in new[] { 'G', 'g', 'F', 'f', 'd' })
                {
                    foreach (string p in culture.DateTimeFormat.GetAllDateTimePatterns(f))
                    {
                        list.Add(p + " zzz");
                        list.Add(p);
                    }
                }
                var formats = list.ToArray();
                FormatCache[culture.Name] = formats;
                return formats;
            }
        }

        // ---- other inputs ----------------------------------------------------------------------------------------

        /// <summary>Doubles are Unix seconds, truncated like Python's int().</summary>
        internal static bool TryFromDouble(double d, out WhisperTime time)
        {
            time = default(WhisperTime);
            if (double.IsNaN(d) || double.IsInfinity(d) || d >= 9.2e18 || d <= -9.2e18) return false;
            time = FromUnixSeconds((long)Math.Truncate(d));
            return true;
        }

        /// <summary>Converts what a time parameter can receive; false for anything else.</summary>
        public static bool TryConvert(object input, out WhisperTime time) => TryConvert(input, out time, out _);

        /// <summary>Converts what a time parameter can receive; false, with the reason, for anything else.</summary>
        public static bool TryConvert(object input, out WhisperTime time, out string problem)
        {
            time = default(WhisperTime);
            problem = null;
            switch (input)
            {
                case null:
                    problem = "No time given (null). Use " + AcceptedForms + ".";
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
                    return TryParse(s, out time, out problem);
                default:
                    if (TryConvertNumber(input, out time))
                    {
                        if (time.Seconds >= 0) return true;
                        // -From -86400 arrives as a number: neither Unix seconds (never negative) nor an offset.
                        problem = "A negative number (" + time.Seconds.ToString(CultureInfo.InvariantCulture) + ") is not a time: " +
                                  "for a time relative to now give a unit, as in '" + time.Seconds.ToString(CultureInfo.InvariantCulture) + "s' or '-1d'.";
                        time = default(WhisperTime);
                        return false;
                    }
                    problem = "A " + input.GetType().Name + " is not a time. Use " + AcceptedForms + ".";
                    return false;
            }
        }

        /// <summary>A UnixTime property: whole Unix seconds, as a number or a numeric string, nothing else.</summary>
        internal static bool TryConvertUnixSeconds(object input, out WhisperTime time)
        {
            time = default(WhisperTime);
            if (input is string s)
            {
                if (!long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds)) return false;
                time = FromUnixSeconds(seconds);
                return true;
            }
            return TryConvertNumber(input, out time);
        }

        private static bool TryConvertNumber(object input, out WhisperTime time)
        {
            time = default(WhisperTime);
            switch (input)
            {
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

        public bool Equals(WhisperTime other) => _value == other._value && _absolute == other._absolute &&
                                                 _unreadable == other._unreadable && ReferenceEquals(_calendar, other._calendar);

        public override bool Equals(object obj) => obj is WhisperTime t && Equals(t);

        public override int GetHashCode() => _value.GetHashCode() ^ (_absolute ? 1 : 0);

        public override string ToString()
        {
            if (_unreadable != null) return _unreadable;
            if (_calendar != null)
                return _calendar.Text + (_value == 0 ? "" : (_value > 0 ? "+" : "") + _value.ToString(CultureInfo.InvariantCulture) + "s");
            if (!_absolute)
                return _value == 0 ? "now" : "now" + (_value > 0 ? "+" : "") + _value.ToString(CultureInfo.InvariantCulture) + "s";
            if (_value >= -62135596800L && _value <= 253402300799L)
                return DateTimeOffset.FromUnixTimeSeconds(_value).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            return _value.ToString(CultureInfo.InvariantCulture);
        }
    }
}
