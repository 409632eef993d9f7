using System;
using System.Collections.Generic;

namespace WhisperPS.Charts
{
    /// <summary>
    /// One series reduced to the chart's columns. A column covers an equal share of the time range and keeps the
    /// first, lowest, highest and last finite value of the slots that fall in it, so a spike narrower than a column
    /// still reaches its full height. Gaps are kept as breaks: a column whose first value does not follow the
    /// previous value slot by slot starts a new line segment, and a gap inside a column splits the line there too.
    /// Memory is per column, whatever the number of slots.
    /// </summary>
    internal sealed class ChartSeries
    {
        private readonly long _start;
        private readonly long _end;
        private long _lastTime = long.MinValue;
        private int _lastColumn = -1;
        private bool _pendingGap;

        internal ChartSeries(string name, long start, long end, int columns, long step)
        {
            if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns));
            if (end <= start) end = start + 1;
            Name = name;
            _start = start;
            _end = end;
            Step = step;
            Columns = columns;
            First = new double[columns];
            Min = new double[columns];
            Max = new double[columns];
            Last = new double[columns];
            Has = new bool[columns];
            BreakBefore = new bool[columns];
            BreakInside = new bool[columns];
        }

        internal string Name { get; set; }

        /// <summary>Seconds between slots; values further apart than this are not joined.</summary>
        internal long Step { get; }

        internal int Columns { get; }

        internal double[] First { get; }

        internal double[] Min { get; }

        internal double[] Max { get; }

        internal double[] Last { get; }

        /// <summary>True where the column holds at least one finite value.</summary>
        internal bool[] Has { get; }

        /// <summary>True where the column's first value does not continue the line from the value before it.</summary>
        internal bool[] BreakBefore { get; }

        /// <summary>True where an empty slot lies between two values of the same column: the line splits inside.</summary>
        internal bool[] BreakInside { get; }

        /// <summary>Slots with a finite value.</summary>
        internal long Points { get; private set; }

        /// <summary>Slots holding NaN or an infinity: not drawn, counted for the summary.</summary>
        internal long NonFinite { get; private set; }

        internal double? Lowest { get; private set; }

        internal double? Highest { get; private set; }

        /// <summary>The newest finite value and its time.</summary>
        internal double? LastValue { get; private set; }

        internal long LastTime => _lastTime;

        /// <summary>The column a time falls in, or -1 outside the range.</summary>
        internal int ColumnOf(long time)
        {
            if (time < _start || time >= _end) return -1;
            // 128-bit safe enough: spans are below 2^33 s and columns below 2^16.
            return (int)((time - _start) * Columns / (_end - _start));
        }

        /// <summary>Adds the slot at <paramref name="time"/>; a null value is an empty slot (a gap). Slots must
        /// come in time order.</summary>
        internal void Add(long time, double? value)
        {
            if (!value.HasValue || double.IsNaN(value.Value) || double.IsInfinity(value.Value))
            {
                if (value.HasValue) NonFinite++;
                // An empty or undrawable slot breaks the line; it matters only once a value has been seen.
                if (_lastColumn >= 0) _pendingGap = true;
                return;
            }
            int c = ColumnOf(time);
            if (c < 0) return;
            double v = value.Value;
            // Joined only to the value exactly one slot earlier: missing slots are gaps, never interpolated.
            bool continues = _lastColumn >= 0 && !_pendingGap && time - _lastTime == Step;
            if (!Has[c])
            {
                Has[c] = true;
                First[c] = Min[c] = Max[c] = v;
                BreakBefore[c] = !continues;
            }
            else
            {
                if (!continues) BreakInside[c] = true;
                if (v < Min[c]) Min[c] = v;
                if (v > Max[c]) Max[c] = v;
            }
            Last[c] = v;
            _pendingGap = false;
            _lastColumn = c;
            _lastTime = time;
            Points++;
            if (!Lowest.HasValue || v < Lowest.Value) Lowest = v;
            if (!Highest.HasValue || v > Highest.Value) Highest = v;
            LastValue = v;
        }

        /// <summary>
        /// The drawable runs: each is a list of (column, value) vertices, split at every gap. Within a column the
        /// vertices go first, lowest, highest, last, so the column's whole span is drawn.
        /// </summary>
        internal List<List<KeyValuePair<int, double>>> Segments()
        {
            var segments = new List<List<KeyValuePair<int, double>>>();
            List<KeyValuePair<int, double>> current = null;
            for (int c = 0; c < Columns; c++)
            {
                if (!Has[c]) continue;
                if (current == null || BreakBefore[c])
                {
                    current = new List<KeyValuePair<int, double>>();
                    segments.Add(current);
                }
                current.Add(new KeyValuePair<int, double>(c, First[c]));
                if (Min[c] != First[c] || Max[c] != First[c])
                {
                    current.Add(new KeyValuePair<int, double>(c, Min[c]));
                    current.Add(new KeyValuePair<int, double>(c, Max[c]));
                }
                if (BreakInside[c])
                {
                    current = new List<KeyValuePair<int, double>>();
                    segments.Add(current);
                }
                var tail = current.Count > 0 ? current[current.Count - 1] : default(KeyValuePair<int, double>);
                if (current.Count == 0 || tail.Key != c || tail.Value != Last[c])
                    current.Add(new KeyValuePair<int, double>(c, Last[c]));
            }
            return segments;
        }
    }
}
