using System;
using System.Collections.Generic;
using System.Globalization;

namespace WhisperPS.Charts
{
    /// <summary>A labelled position on an axis.</summary>
    internal readonly struct Tick<T>
    {
        internal Tick(T value, string label)
        {
            Value = value;
            Label = label;
        }

        internal T Value { get; }

        internal string Label { get; }
    }

    /// <summary>
    /// Axis ticks people can read: values at 1, 2, 2.5 or 5 times a power of ten; times at whole seconds, minutes,
    /// hours, days, months or years of the zone the chart is drawn in.
    /// </summary>
    internal static class Ticks
    {
        private static readonly double[] NiceFactors = { 1, 2, 2.5, 5, 10 };

        /// <summary>Rounded axis bounds that contain [lo, hi] and about <paramref name="target"/> ticks between them.
        /// A flat series gets a band around its value so that it sits mid-height.</summary>
        internal static List<Tick<double>> Values(ref double lo, ref double hi, int target)
        {
            if (target < 2) target = 2;
            if (!(hi > lo))
            {
                double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
                lo -= pad;
                hi += pad;
            }
            double raw = (hi - lo) / (target - 1);
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double step = magnitude * 10;
            foreach (double f in NiceFactors)
            {
                if (f * magnitude >= raw) { step = f * magnitude; break; }
            }
            double first = Math.Floor(lo / step) * step;
            double last = Math.Ceiling(hi / step) * step;
            lo = first;
            hi = last;
            var ticks = new List<Tick<double>>();
            // Counting steps avoids the drift of repeated addition.
            long n = (long)Math.Round((last - first) / step);
            for (long i = 0; i <= n; i++)
            {
                double v = first + i * step;
                if (Math.Abs(v) < step * 1e-9) v = 0;
                ticks.Add(new Tick<double>(v, FormatValue(v, step)));
            }
            return ticks;
        }

        /// <summary>A value as an axis label: invariant culture, as many decimals as the tick step needs, with
        /// k/M/G/T suffixes for large values as graphite-web labels them.</summary>
        internal static string FormatValue(double v, double step)
        {
            string[] suffixes = { "", "k", "M", "G", "T", "P" };
            double scale = 1;
            int s = 0;
            while (s < suffixes.Length - 1 && Math.Max(Math.Abs(v), step) >= scale * 10000) { scale *= 1000; s++; }
            double scaled = v / scale;
            double scaledStep = step / scale;
            int decimals = scaledStep >= 1 ? 0 : Math.Min(12, (int)Math.Ceiling(-Math.Log10(scaledStep) - 1e-9));
            if (scaledStep < 1 && Math.Abs(scaledStep * Math.Pow(10, decimals) - Math.Round(scaledStep * Math.Pow(10, decimals))) > 1e-6) decimals++;
            return scaled.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + suffixes[s];
        }

        private static readonly long[] FixedSteps =
        {
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400,
        };

        /// <summary>Calendar steps beyond two weeks, in months.</summary>
        private static readonly int[] MonthSteps = { 1, 2, 3, 6, 12, 24, 60, 120 };

        /// <summary>
        /// Ticks over [start, end] (Unix seconds), about <paramref name="target"/> of them, at round times of the
        /// chart's zone (UTC, or the machine's zone with <paramref name="local"/>).
        /// </summary>
        internal static List<Tick<long>> Times(long start, long end, int target, bool local)
        {
            if (target < 2) target = 2;
            long span = Math.Max(1, end - start);
            long raw = Math.Max(1, span / target);
            var ticks = new List<Tick<long>>();
            long fixedStep = 0;
            foreach (long s in FixedSteps)
            {
                if (s >= raw) { fixedStep = s; break; }
            }
            if (fixedStep > 0)
            {
                string format = fixedStep < 60 ? "HH:mm:ss" : fixedStep >= 86400 ? "yyyy-MM-dd" : span > 86400 ? "MM-dd HH:mm" : "HH:mm";
                // Ticks at round wall-clock times of the display zone (hourly on the hour, daily at midnight there),
                // stepped in wall-clock time so that a DST change does not shift the ticks after it.
                DateTime wall = ToZone(start, local);
                long wallSeconds = (long)(wall - DateTime.MinValue).TotalSeconds;
                var cursor = DateTime.MinValue.AddSeconds(FloorDiv(wallSeconds, fixedStep) * fixedStep);
                long previous = long.MinValue;
                while (true)
                {
                    long t = FromZone(cursor, local);
                    if (t > end) break;
                    if (t >= start && t > previous)
                    {
                        ticks.Add(new Tick<long>(t, Format(t, format, local)));
                        previous = t;
                    }
                    if (cursor.Year > 9998) break;
                    cursor = cursor.AddSeconds(fixedStep);
                }
                return ticks;
            }
            int months = MonthSteps[MonthSteps.Length - 1];
            foreach (int m in MonthSteps)
            {
                if (m * 30L * 86400 >= raw) { months = m; break; }
            }
            string monthFormat = months >= 12 ? "yyyy" : "yyyy-MM";
            DateTime first = ToZone(start, local);
            var month = new DateTime(first.Year, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
            while (true)
            {
                long t = FromZone(month, local);
                if (t > end) break;
                if (t >= start && (month.Year * 12 + month.Month - 1) % months == 0)
                    ticks.Add(new Tick<long>(t, Format(t, monthFormat, local)));
                month = month.AddMonths(1);
                if (month.Year > 9998) break;
            }
            return ticks;
        }

        /// <summary>The name of the zone for the axis caption.</summary>
        internal static string ZoneName(long at, bool local)
        {
            if (!local) return "UTC";
            var offset = TimeSpan.FromSeconds(ZoneOffset(at, true));
            string sign = offset < TimeSpan.Zero ? "-" : "+";
            return "local time (UTC" + sign + offset.Duration().ToString("hh\\:mm", CultureInfo.InvariantCulture) + ")";
        }

        internal static string Format(long unix, string format, bool local)
        {
            return ToZone(unix, local).ToString(format, CultureInfo.InvariantCulture);
        }

        private static DateTime ToZone(long unix, bool local)
        {
            var utc = DateTimeOffset.FromUnixTimeSeconds(Clamp(unix));
            return local ? TimeZoneInfo.ConvertTime(utc, TimeZoneInfo.Local).DateTime : utc.UtcDateTime;
        }

        private static long FromZone(DateTime wall, bool local)
        {
            if (!local) return new DateTimeOffset(DateTime.SpecifyKind(wall, DateTimeKind.Unspecified), TimeSpan.Zero).ToUnixTimeSeconds();
            var zone = TimeZoneInfo.Local;
            // A wall time skipped by a DST change is taken an hour later, as clocks show it.
            if (zone.IsInvalidTime(wall)) wall = wall.AddHours(1);
            return new DateTimeOffset(wall, zone.GetUtcOffset(wall)).ToUnixTimeSeconds();
        }

        private static long ZoneOffset(long unix, bool local)
        {
            if (!local) return 0;
            return (long)TimeZoneInfo.Local.GetUtcOffset(DateTimeOffset.FromUnixTimeSeconds(Clamp(unix))).TotalSeconds;
        }

        private static long Clamp(long unix) => Math.Max(-62135596800L, Math.Min(253402300799L, unix));

        private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    }
}
