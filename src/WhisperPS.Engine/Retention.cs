using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace WhisperPS.Engine
{
    /// <summary>One archive as configured: a step (seconds per point) and a number of points.</summary>
    public readonly struct ArchiveSpec : IEquatable<ArchiveSpec>
    {
        public ArchiveSpec(long secondsPerPoint, long points)
        {
            SecondsPerPoint = secondsPerPoint;
            Points = points;
        }

        public long SecondsPerPoint { get; }
        public long Points { get; }
        public long Retention => SecondsPerPoint * Points;

        public bool Equals(ArchiveSpec other) => SecondsPerPoint == other.SecondsPerPoint && Points == other.Points;
        public override bool Equals(object obj) => obj is ArchiveSpec o && Equals(o);
        public override int GetHashCode() => (SecondsPerPoint * 397 ^ Points).GetHashCode();

        /// <summary>Readable form that <see cref="Retention.Parse"/> reads back, e.g. <c>10s:1d</c>.</summary>
        public override string ToString() => Engine.Retention.Format(this);
    }

    /// <summary>whisper's retention syntax (<c>60:1440</c>, <c>10s:1d</c>, <c>1h:1y</c>) and archive-list rules.</summary>
    public static class Retention
    {
        private static readonly Regex UnitPattern = new Regex("^([0-9]+)([a-z]+)$", RegexOptions.CultureInvariant);

        private static readonly string[] UnitNames = { "seconds", "minutes", "hours", "days", "weeks", "years" };
        private static readonly long[] UnitSeconds = { 1, 60, 3600, 86400, 86400 * 7, 86400 * 365 };

        /// <summary>Seconds in the unit named by a prefix of seconds, minutes, hours, days, weeks or years
        /// (so <c>m</c> is minutes), checked in that order as whisper does.</summary>
        public static long UnitMultiplier(string unit)
        {
            for (int i = 0; i < UnitNames.Length; i++)
                if (unit.Length > 0 && UnitNames[i].StartsWith(unit, StringComparison.Ordinal))
                    return UnitSeconds[i];
            throw new InvalidRetentionException("Invalid unit '" + unit + "'. Units are s, m or min, h, d, w and y.");
        }

        /// <summary>Parses <c>precision:points</c> or <c>precision:duration</c>; a duration becomes
        /// duration / precision points, rounded down.</summary>
        public static ArchiveSpec Parse(string definition)
        {
            if (definition == null) throw new InvalidRetentionException("Invalid retention definition ''");
            string s = definition.Trim();
            int colon = s.IndexOf(':');
            if (colon < 0)
                throw new InvalidRetentionException("Invalid retention definition '" + definition +
                    "': expected precision:retention, for example 10s:1d or 60:1440.");
            string precisionText = s.Substring(0, colon);
            string pointsText = s.Substring(colon + 1);

            long precision;
            if (IsDigits(precisionText))
                precision = ParseNumber(precisionText, definition);
            else
            {
                var m = UnitPattern.Match(precisionText);
                if (!m.Success)
                    throw new InvalidRetentionException("Invalid precision specification '" + precisionText +
                        "' in '" + definition + "': use seconds (60) or a number with a unit (10s, 1m, 1h).");
                precision = Checked(ParseNumber(m.Groups[1].Value, definition), UnitMultiplier(m.Groups[2].Value), definition);
            }
            if (precision < 1)
                throw new InvalidRetentionException("Invalid precision specification '" + precisionText +
                    "' in '" + definition + "': the precision must be at least 1 second.");

            long points;
            if (IsDigits(pointsText))
                points = ParseNumber(pointsText, definition);
            else
            {
                var m = UnitPattern.Match(pointsText);
                if (!m.Success)
                    throw new InvalidRetentionException("Invalid retention specification '" + pointsText +
                        "' in '" + definition + "': use a number of points (1440) or a duration with a unit (1d, 7d, 1y).");
                points = Checked(ParseNumber(m.Groups[1].Value, definition), UnitMultiplier(m.Groups[2].Value), definition) / precision;
            }
            if (points < 1)
                throw new InvalidRetentionException("Invalid retention specification '" + pointsText + "' in '" +
                    definition + "': it gives " + points + " points; an archive needs at least one.");
            if (precision > uint.MaxValue || points > uint.MaxValue)
                throw new InvalidRetentionException("Retention definition '" + definition + "' is too large for the format.");
            return new ArchiveSpec(precision, points);
        }

        /// <summary>Parses each definition; the list is not validated (see <see cref="Validate"/>).</summary>
        public static List<ArchiveSpec> ParseList(IEnumerable<string> definitions)
        {
            var list = new List<ArchiveSpec>();
            foreach (var d in definitions)
            {
                // Accept both '10s:1d','1m:7d' and the carbon storage-schemas form '10s:1d,1m:7d'.
                foreach (var part in (d ?? string.Empty).Split(','))
                    list.Add(Parse(part));
            }
            return list;
        }

        /// <summary>
        /// Applies whisper's validateArchiveList rules and returns the archives sorted finest first.
        /// Unlike whisper, the caller's list is left as it was.
        /// </summary>
        public static List<ArchiveSpec> Validate(IEnumerable<ArchiveSpec> archives)
        {
            var list = archives == null ? new List<ArchiveSpec>() : new List<ArchiveSpec>(archives);
            if (list.Count == 0)
                throw new InvalidConfigurationException("You must specify at least one archive configuration!");
            foreach (var a in list)
            {
                if (a.SecondsPerPoint < 1 || a.Points < 1 || a.SecondsPerPoint > uint.MaxValue || a.Points > uint.MaxValue)
                    throw new InvalidConfigurationException("Invalid archive " + Tuple(a) +
                        ": seconds per point and points must be between 1 and " + uint.MaxValue + ".");
            }
            StableSortBySecondsPerPoint(list);

            for (int i = 0; i + 1 < list.Count; i++)
            {
                var a = list[i];
                var next = list[i + 1];
                if (!(a.SecondsPerPoint < next.SecondsPerPoint))
                    throw new InvalidConfigurationException(
                        "A Whisper database may not be configured having two archives with the same precision " +
                        "(archive" + i + ": " + Tuple(a) + ", archive" + (i + 1) + ": " + Tuple(next) + ")");
                if (next.SecondsPerPoint % a.SecondsPerPoint != 0)
                    throw new InvalidConfigurationException(
                        "Higher precision archives' precision must evenly divide all lower precision archives' precision " +
                        "(archive" + i + ": " + a.SecondsPerPoint + ", archive" + (i + 1) + ": " + next.SecondsPerPoint + ")");
                if (!(next.Retention > a.Retention))
                    throw new InvalidConfigurationException(
                        "Lower precision archives must cover larger time intervals than higher precision archives " +
                        "(archive" + i + ": " + a.Retention + " seconds, archive" + (i + 1) + ": " + next.Retention + " seconds)");
                long perConsolidation = next.SecondsPerPoint / a.SecondsPerPoint;
                if (!(a.Points >= perConsolidation))
                    throw new InvalidConfigurationException(
                        "Each archive must have at least enough points to consolidate to the next archive " +
                        "(archive" + (i + 1) + " consolidates " + perConsolidation + " of archive" + i +
                        "'s points but it has only " + a.Points + " total points)");
            }

            long size = WhisperHeader.HeaderSize(list.Count);
            foreach (var a in list) size += a.Points * Point.Size;
            if (size > uint.MaxValue || list[list.Count - 1].Retention > uint.MaxValue)
                throw new InvalidConfigurationException("The archives need " + size + " bytes and " +
                    list[list.Count - 1].Retention + " seconds of retention; whisper's 32-bit offsets and retention cannot address that.");
            return list;
        }

        /// <summary>Formats an archive as <c>step:retention</c> with the largest whole units, e.g. <c>1min:7d</c>.</summary>
        public static string Format(ArchiveSpec archive)
        {
            return FormatSeconds(archive.SecondsPerPoint) + ":" + FormatSeconds(archive.Retention);
        }

        /// <summary>A duration in the largest unit that divides it: 31536000 → 1y, 604800 → 7d, 60 → 1min.</summary>
        public static string FormatSeconds(long seconds)
        {
            string[] suffix = { "y", "d", "h", "min", "s" };
            long[] size = { 86400L * 365, 86400, 3600, 60, 1 };
            for (int i = 0; i < size.Length; i++)
                if (seconds >= size[i] && seconds % size[i] == 0)
                    return (seconds / size[i]).ToString(CultureInfo.InvariantCulture) + suffix[i];
            return seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        private static string Tuple(ArchiveSpec a)
        {
            return "(" + a.SecondsPerPoint.ToString(CultureInfo.InvariantCulture) + ", " +
                   a.Points.ToString(CultureInfo.InvariantCulture) + ")";
        }

        private static void StableSortBySecondsPerPoint(List<ArchiveSpec> list)
        {
            // Insertion sort: stable like Python's sort, and lists are tiny.
            for (int i = 1; i < list.Count; i++)
            {
                var x = list[i];
                int j = i - 1;
                while (j >= 0 && list[j].SecondsPerPoint > x.SecondsPerPoint)
                {
                    list[j + 1] = list[j];
                    j--;
                }
                list[j + 1] = x;
            }
        }

        private static bool IsDigits(string s)
        {
            if (s.Length == 0) return false;
            foreach (char c in s)
                if (c < '0' || c > '9') return false;
            return true;
        }

        private static long ParseNumber(string digits, string definition)
        {
            if (digits.Length > 18 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long v))
                throw new InvalidRetentionException("Retention definition '" + definition + "' is too large for the format.");
            return v;
        }

        private static long Checked(long a, long b, string definition)
        {
            try { return checked(a * b); }
            catch (OverflowException) { throw new InvalidRetentionException("Retention definition '" + definition + "' is too large for the format."); }
        }
    }
}
