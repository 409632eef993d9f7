using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace WhisperPS.Charts
{
    /// <summary>How a terminal chart is drawn.</summary>
    internal sealed class TerminalChartOptions
    {
        /// <summary>Characters per line, all of the chart included.</summary>
        internal int Width { get; set; } = 80;

        /// <summary>Lines of the plot area and axes; the legend adds one line per series.</summary>
        internal int Height { get; set; } = 20;

        /// <summary>Plain ASCII (one mark per character cell) instead of Unicode braille (2 × 4 dots per cell).</summary>
        internal bool Ascii { get; set; }

        /// <summary>Colour the series with ANSI escape sequences.</summary>
        internal bool Color { get; set; }
    }

    /// <summary>
    /// Draws a chart as lines of text: a value axis with labels, the plot (braille dots or ASCII marks), a time axis
    /// with labels at round times, and a legend line per series with its exact min, max and last value. Gaps stay
    /// empty; every plot column is one reduced time column.
    /// </summary>
    internal static class TerminalChartWriter
    {
        /// <summary>Characters reserved left of the plot for the value labels and the axis line.</summary>
        internal const int LabelWidth = 10;

        private static readonly char[] AsciiMarks = { '*', '+', 'x', 'o', '#', '@', '%', '&' };

        // 16-colour ANSI foregrounds, in the same order as the SVG palette's hues where they exist.
        private static readonly int[] AnsiColors = { 34, 31, 32, 33, 35, 36, 94, 91 };

        /// <summary>Plot columns for a chart of the given character width.</summary>
        internal static int PlotColumns(TerminalChartOptions o) => PlotCells(o) * (o.Ascii ? 1 : 2);

        private static int PlotCells(TerminalChartOptions o) => Math.Max(10, o.Width - LabelWidth - 1);

        internal static List<string> Write(ChartLayout layout, TerminalChartOptions o)
        {
            int cells = PlotCells(o);
            int rows = Math.Max(3, o.Height - 2);
            int dotsX = o.Ascii ? 1 : 2, dotsY = o.Ascii ? 1 : 4;
            int width = cells * dotsX, height = rows * dotsY;

            var valueTicks = layout.ValueTicks(Math.Max(2, rows / 3 + 1), out double lo, out double hi);
            Func<double, int> yOf = v =>
            {
                int y = (int)Math.Round((hi - v) / (hi - lo) * (height - 1));
                return Math.Max(0, Math.Min(height - 1, y));
            };

            // The canvas: per cell the braille dot bits and which series drew last (its colour and ASCII mark).
            var bits = new int[rows, cells];
            var owner = new int[rows, cells];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cells; c++) owner[r, c] = -1;
            Action<int, int, int> plot = (x, y, series) =>
            {
                if (x < 0 || x >= width || y < 0 || y >= height) return;
                int cr = y / dotsY, cc = x / dotsX;
                bits[cr, cc] |= o.Ascii ? 1 : BrailleBit(x % 2, y % 4);
                owner[cr, cc] = series;
            };

            for (int i = 0; i < layout.Series.Count; i++)
            {
                foreach (var segment in layout.Series[i].Segments())
                {
                    int px = segment[0].Key, py = yOf(segment[0].Value);
                    plot(px, py, i);
                    for (int k = 1; k < segment.Count; k++)
                    {
                        int x = segment[k].Key, y = yOf(segment[k].Value);
                        Line(px, py, x, y, (lx, ly) => plot(lx, ly, i));
                        px = x;
                        py = y;
                    }
                }
            }

            // Value labels on the rows nearest their ticks.
            var labels = new string[rows];
            foreach (var t in valueTicks)
            {
                int r = yOf(t.Value) / dotsY;
                if (labels[r] == null) labels[r] = t.Label;
            }

            var lines = new List<string>();
            string axis = o.Ascii ? "|" : "\u2502";
            for (int r = 0; r < rows; r++)
            {
                var sb = new StringBuilder();
                string label = labels[r] ?? string.Empty;
                if (label.Length > LabelWidth - 1) label = label.Substring(0, LabelWidth - 1);
                sb.Append(label.PadLeft(LabelWidth - 1)).Append(' ').Append(axis);
                int current = -1;
                for (int c = 0; c < cells; c++)
                {
                    char ch;
                    int who = owner[r, c];
                    if (bits[r, c] == 0) ch = ' ';
                    else if (o.Ascii) ch = AsciiMarks[who % AsciiMarks.Length];
                    else ch = (char)(0x2800 + bits[r, c]);
                    if (o.Color)
                    {
                        int want = bits[r, c] == 0 ? -1 : who;
                        if (want != current)
                        {
                            sb.Append(want < 0 ? "\u001b[0m" : "\u001b[" + AnsiColors[want % AnsiColors.Length].ToString(CultureInfo.InvariantCulture) + "m");
                            current = want;
                        }
                    }
                    sb.Append(ch);
                }
                if (o.Color && current >= 0) sb.Append("\u001b[0m");
                lines.Add(sb.ToString().TrimEnd());
            }

            // Time axis: a rule with tick marks, then labels that do not overlap.
            var rule = new StringBuilder(new string(' ', LabelWidth) + (o.Ascii ? "+" : "\u2514") + new string(o.Ascii ? '-' : '\u2500', cells));
            var labelLine = new StringBuilder(new string(' ', LabelWidth + 1 + cells + 20));
            double secondsPerCell = (double)(layout.End - layout.Start) / cells;
            int freeFrom = 0;
            foreach (var t in Ticks.Times(layout.Start, layout.End - 1, Math.Max(2, cells / 16), layout.LocalTime))
            {
                int cell = (int)Math.Floor((t.Value - layout.Start) / secondsPerCell);
                if (cell < 0 || cell >= cells) continue;
                int at = LabelWidth + 1 + cell;
                rule[at] = o.Ascii ? '+' : '\u252c';
                int start = Math.Max(at - t.Label.Length / 2, LabelWidth + 1);
                if (start < freeFrom || start + t.Label.Length > LabelWidth + 1 + cells) continue;
                for (int k = 0; k < t.Label.Length; k++) labelLine[start + k] = t.Label[k];
                freeFrom = start + t.Label.Length + 2;
            }
            lines.Add(rule.ToString());
            int total = LabelWidth + 1 + cells;
            string zone = Ticks.ZoneName(layout.Start, layout.LocalTime);
            string timeLabels = labelLine.ToString().TrimEnd();
            if (timeLabels.Length + 2 + zone.Length <= total) lines.Add((timeLabels + "  " + zone).TrimEnd());
            else
            {
                lines.Add(timeLabels);
                lines.Add(zone.PadLeft(total));
            }
            if (!layout.HasData)
            {
                string message = "no data in this range";
                lines[rows / 2] = (new string(' ', LabelWidth - 1) + " " + axis + new string(' ', Math.Max(0, (cells - message.Length) / 2)) + message);
            }

            for (int i = 0; i < layout.Series.Count; i++)
            {
                var s = layout.Series[i];
                string mark = o.Ascii ? AsciiMarks[i % AsciiMarks.Length].ToString() : "\u25cf";
                string coloured = o.Color ? "\u001b[" + AnsiColors[i % AnsiColors.Length].ToString(CultureInfo.InvariantCulture) + "m" + mark + "\u001b[0m" : mark;
                string name = s.Name.Length > total - 2 ? "..." + s.Name.Substring(s.Name.Length - (total - 5)) : s.Name;
                string summary = ChartLayout.Summary(s, layout.LocalTime);
                // One line when it fits the width, else the summary on its own indented line.
                if (2 + name.Length + 2 + summary.Length <= total) lines.Add(coloured + " " + name + "  " + summary);
                else
                {
                    lines.Add(coloured + " " + name);
                    // Wrapped at its double spaces, so no part of the summary is cut off.
                    var line = new StringBuilder("  ");
                    foreach (string part in summary.Split(new[] { "  " }, StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (line.Length > 2 && line.Length + 2 + part.Length > total)
                        {
                            lines.Add(line.ToString());
                            line = new StringBuilder("  ");
                        }
                        if (line.Length > 2) line.Append("  ");
                        line.Append(part);
                    }
                    if (line.Length > 2) lines.Add(line.ToString());
                }
            }
            return lines;
        }

        /// <summary>The bit of the braille dot at column dx (0-1) and row dy (0-3) of a cell (Unicode order).</summary>
        private static int BrailleBit(int dx, int dy)
        {
            if (dy == 3) return dx == 0 ? 0x40 : 0x80;
            return dx == 0 ? 1 << dy : 1 << (dy + 3);
        }

        private static void Line(int x0, int y0, int x1, int y1, Action<int, int> plot)
        {
            int dx = Math.Abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
            int dy = -Math.Abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
            int err = dx + dy;
            while (true)
            {
                plot(x0, y0);
                if (x0 == x1 && y0 == y1) return;
                int e2 = 2 * err;
                if (e2 >= dy) { err += dy; x0 += sx; }
                if (e2 <= dx) { err += dx; y0 += sy; }
            }
        }
    }
}
