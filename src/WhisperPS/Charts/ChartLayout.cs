using System;
using System.Collections.Generic;
using System.Globalization;

namespace WhisperPS.Charts
{
    /// <summary>What both chart writers need to know: the series, the time range and the value range.</summary>
    internal sealed class ChartLayout
    {
        internal ChartLayout(IReadOnlyList<ChartSeries> series, long start, long end, bool localTime)
        {
            Series = series;
            Start = start;
            End = end;
            LocalTime = localTime;
            double? lo = null, hi = null;
            foreach (var s in series)
            {
                if (s.Lowest.HasValue && (!lo.HasValue || s.Lowest.Value < lo.Value)) lo = s.Lowest;
                if (s.Highest.HasValue && (!hi.HasValue || s.Highest.Value > hi.Value)) hi = s.Highest;
            }
            HasData = lo.HasValue;
            DataMin = lo ?? 0;
            DataMax = hi ?? 1;
        }

        internal IReadOnlyList<ChartSeries> Series { get; }

        /// <summary>First second of the range (inclusive).</summary>
        internal long Start { get; }

        /// <summary>End of the range (exclusive).</summary>
        internal long End { get; }

        internal bool LocalTime { get; }

        /// <summary>False when no series holds a drawable value in the range.</summary>
        internal bool HasData { get; }

        internal double DataMin { get; }

        internal double DataMax { get; }

        /// <summary>Value ticks for an axis with room for about <paramref name="target"/> labels; the axis bounds
        /// come back rounded outwards to the first and last tick.</summary>
        internal List<Tick<double>> ValueTicks(int target, out double axisMin, out double axisMax)
        {
            axisMin = DataMin;
            axisMax = DataMax;
            return Ticks.Values(ref axisMin, ref axisMax, target);
        }

        /// <summary>The one-line summary of a series: what the chart does not show exactly.</summary>
        internal static string Summary(ChartSeries s, bool localTime)
        {
            if (s.Points == 0)
                return s.NonFinite > 0 ? "no drawable values (" + s.NonFinite.ToString(CultureInfo.InvariantCulture) + " NaN/infinite)" : "no values in range";
            string text = "min " + Number(s.Lowest.Value) + "  max " + Number(s.Highest.Value) + "  last " + Number(s.LastValue.Value) +
                          " at " + Ticks.Format(s.LastTime, "yyyy-MM-dd HH:mm:ss", localTime) +
                          "  (" + s.Points.ToString(CultureInfo.InvariantCulture) + " points";
            if (s.NonFinite > 0) text += ", " + s.NonFinite.ToString(CultureInfo.InvariantCulture) + " NaN/infinite not drawn";
            return text + ")";
        }

        /// <summary>A value exactly enough to recognise, invariant culture.</summary>
        internal static string Number(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    }
}
