using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace WhisperPS.Charts
{
    /// <summary>
    /// Writes a chart as one self-contained SVG document (no scripts, no external fonts or styles), optionally
    /// wrapped in a minimal HTML page. One plot column per pixel; each series is drawn as polylines that end at
    /// every gap, a lone point as a dot. The plot area and each series carry data-* attributes, so tools and tests
    /// can map pixels back to times and values.
    /// </summary>
    internal static class SvgChartWriter
    {
        /// <summary>Series colours: distinct, and readable on white.</summary>
        internal static readonly string[] Palette = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf" };

        internal const int MarginLeft = 72;
        internal const int MarginRight = 24;

        /// <summary>Plot columns for a chart of the given pixel width.</summary>
        internal static int PlotColumns(int width) => Math.Max(10, width - MarginLeft - MarginRight);

        internal static string Write(ChartLayout layout, int width, int height, string title, bool html)
        {
            var sb = new StringBuilder();
            if (html)
            {
                sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                  .Append(Escape(string.IsNullOrEmpty(title) ? "WhisperPS chart" : title))
                  .Append("</title>\n</head>\n<body style=\"margin:0;background:#ffffff\">\n");
            }
            WriteSvg(sb, layout, width, height, title, !html);
            if (html) sb.Append("</body>\n</html>\n");
            return sb.ToString();
        }

        private static void WriteSvg(StringBuilder sb, ChartLayout layout, int width, int height, string title, bool standalone)
        {
            int legendRows = Math.Max(1, layout.Series.Count);
            int top = string.IsNullOrEmpty(title) ? 16 : 40;
            int bottom = 44 + 18 * legendRows;
            int plotWidth = PlotColumns(width);
            int plotHeight = Math.Max(20, height - top - bottom);
            height = top + plotHeight + bottom;
            int left = MarginLeft;

            if (standalone) sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").Append(I(width)).Append("\" height=\"").Append(I(height))
              .Append("\" viewBox=\"0 0 ").Append(I(width)).Append(' ').Append(I(height))
              .Append("\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"11\">\n");
            sb.Append("<title>").Append(Escape(string.IsNullOrEmpty(title) ? "WhisperPS chart" : title)).Append("</title>\n");
            sb.Append("<rect class=\"background\" x=\"0\" y=\"0\" width=\"").Append(I(width)).Append("\" height=\"").Append(I(height)).Append("\" fill=\"#ffffff\"/>\n");
            if (!string.IsNullOrEmpty(title))
                sb.Append("<text class=\"title\" x=\"").Append(I(width / 2)).Append("\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" fill=\"#222222\">")
                  .Append(Escape(title)).Append("</text>\n");

            var valueTicks = layout.ValueTicks(Math.Max(2, plotHeight / 45), out double lo, out double hi);
            Func<double, double> yOf = v => top + plotHeight - (v - lo) / (hi - lo) * plotHeight;
            double secondsPerColumn = (double)(layout.End - layout.Start) / plotWidth;

            sb.Append("<g class=\"plot\" data-left=\"").Append(I(left)).Append("\" data-top=\"").Append(I(top))
              .Append("\" data-width=\"").Append(I(plotWidth)).Append("\" data-height=\"").Append(I(plotHeight))
              .Append("\" data-columns=\"").Append(I(plotWidth)).Append("\" data-from=\"").Append(L(layout.Start))
              .Append("\" data-until=\"").Append(L(layout.End)).Append("\" data-min=\"").Append(R(lo)).Append("\" data-max=\"").Append(R(hi)).Append("\">\n");
            sb.Append("<rect x=\"").Append(I(left)).Append("\" y=\"").Append(I(top)).Append("\" width=\"").Append(I(plotWidth)).Append("\" height=\"").Append(I(plotHeight))
              .Append("\" fill=\"#ffffff\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>\n");

            // Value axis: grid lines and labels.
            sb.Append("<g class=\"value-axis\" fill=\"#444444\" text-anchor=\"end\">\n");
            foreach (var t in valueTicks)
            {
                double y = Math.Round(yOf(t.Value)) + 0.5;
                sb.Append("<line x1=\"").Append(I(left)).Append("\" x2=\"").Append(I(left + plotWidth)).Append("\" y1=\"").Append(D(y)).Append("\" y2=\"").Append(D(y))
                  .Append("\" stroke=\"#e6e6e6\" stroke-width=\"1\"/>\n");
                sb.Append("<text class=\"value-label\" data-value=\"").Append(R(t.Value)).Append("\" x=\"").Append(I(left - 6)).Append("\" y=\"").Append(D(y + 4)).Append("\">")
                  .Append(Escape(t.Label)).Append("</text>\n");
            }
            sb.Append("</g>\n");

            // Time axis: ticks at round times of the chart's zone, labels that do not overlap.
            sb.Append("<g class=\"time-axis\" fill=\"#444444\" text-anchor=\"middle\">\n");
            double lastLabelRight = double.NegativeInfinity;
            foreach (var t in Ticks.Times(layout.Start, layout.End - 1, Math.Max(2, plotWidth / 110), layout.LocalTime))
            {
                double x = left + Math.Floor((t.Value - layout.Start) / secondsPerColumn) + 0.5;
                sb.Append("<line x1=\"").Append(D(x)).Append("\" x2=\"").Append(D(x)).Append("\" y1=\"").Append(I(top)).Append("\" y2=\"").Append(I(top + plotHeight + 4))
                  .Append("\" stroke=\"#e6e6e6\" stroke-width=\"1\"/>\n");
                double half = t.Label.Length * 3.3;
                if (x - half <= lastLabelRight + 4) continue;
                lastLabelRight = x + half;
                sb.Append("<text class=\"time-label\" data-time=\"").Append(L(t.Value)).Append("\" x=\"").Append(D(x)).Append("\" y=\"").Append(I(top + plotHeight + 17)).Append("\">")
                  .Append(Escape(t.Label)).Append("</text>\n");
            }
            sb.Append("<text class=\"zone\" x=\"").Append(I(left + plotWidth)).Append("\" y=\"").Append(I(top + plotHeight + 32)).Append("\" text-anchor=\"end\" fill=\"#777777\">")
              .Append(Escape("time: " + Ticks.ZoneName(layout.Start, layout.LocalTime))).Append("</text>\n");
            sb.Append("</g>\n");

            if (!layout.HasData)
            {
                sb.Append("<text class=\"no-data\" x=\"").Append(I(left + plotWidth / 2)).Append("\" y=\"").Append(I(top + plotHeight / 2))
                  .Append("\" text-anchor=\"middle\" fill=\"#888888\" font-size=\"14\">no data in this range</text>\n");
            }

            for (int i = 0; i < layout.Series.Count; i++)
            {
                var s = layout.Series[i];
                string color = Palette[i % Palette.Length];
                sb.Append("<g class=\"series\" data-index=\"").Append(I(i)).Append("\" data-name=\"").Append(Escape(s.Name)).Append("\" data-color=\"").Append(color)
                  .Append("\" fill=\"none\" stroke=\"").Append(color).Append("\" stroke-width=\"1.5\" stroke-linejoin=\"round\">\n");
                foreach (var segment in s.Segments())
                {
                    bool single = true;
                    foreach (var p in segment)
                        if (p.Key != segment[0].Key || p.Value != segment[0].Value) { single = false; break; }
                    if (single)
                    {
                        sb.Append("<circle class=\"point\" cx=\"").Append(D(left + segment[0].Key + 0.5)).Append("\" cy=\"").Append(D(yOf(segment[0].Value)))
                          .Append("\" r=\"2\" fill=\"").Append(color).Append("\" stroke=\"none\" data-columns=\"").Append(I(segment[0].Key)).Append("\"/>\n");
                        continue;
                    }
                    sb.Append("<polyline class=\"segment\" data-first=\"").Append(I(segment[0].Key)).Append("\" data-last=\"").Append(I(segment[segment.Count - 1].Key)).Append("\" points=\"");
                    for (int k = 0; k < segment.Count; k++)
                    {
                        if (k > 0) sb.Append(' ');
                        sb.Append(D(left + segment[k].Key + 0.5)).Append(',').Append(D(yOf(segment[k].Value)));
                    }
                    sb.Append("\"/>\n");
                }
                sb.Append("</g>\n");
            }
            sb.Append("</g>\n");

            // Legend: colour, name, and what the reduction does not show (exact min, max, last).
            int ly = top + plotHeight + 52;
            for (int i = 0; i < layout.Series.Count; i++)
            {
                var s = layout.Series[i];
                string color = Palette[i % Palette.Length];
                int y = ly + i * 18;
                sb.Append("<g class=\"legend\" data-index=\"").Append(I(i)).Append("\">");
                sb.Append("<line x1=\"").Append(I(left)).Append("\" x2=\"").Append(I(left + 22)).Append("\" y1=\"").Append(I(y - 4)).Append("\" y2=\"").Append(I(y - 4))
                  .Append("\" stroke=\"").Append(color).Append("\" stroke-width=\"3\"/>");
                sb.Append("<text x=\"").Append(I(left + 28)).Append("\" y=\"").Append(I(y)).Append("\" fill=\"#222222\">").Append(Escape(s.Name)).Append("</text>");
                sb.Append("<text class=\"summary\" xml:space=\"preserve\" x=\"").Append(I(left + plotWidth)).Append("\" y=\"").Append(I(y)).Append("\" text-anchor=\"end\" fill=\"#555555\">")
                  .Append(Escape(ChartLayout.Summary(s, layout.LocalTime))).Append("</text>");
                sb.Append("</g>\n");
            }
            sb.Append("</svg>\n");
        }

        internal static string Escape(string text)
        {
            if (string.IsNullOrEmpty(text)) return string.Empty;
            var sb = new StringBuilder(text.Length);
            foreach (char c in text)
            {
                switch (c)
                {
                    case '<': sb.Append("&lt;"); break;
                    case '>': sb.Append("&gt;"); break;
                    case '&': sb.Append("&amp;"); break;
                    case '"': sb.Append("&quot;"); break;
                    case '\'': sb.Append("&apos;"); break;
                    default:
                        // XML 1.0 cannot carry most control characters at all.
                        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') sb.Append('?');
                        else sb.Append(c);
                        break;
                }
            }
            return sb.ToString();
        }

        private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

        private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

        private static string L(long v) => v.ToString(CultureInfo.InvariantCulture);

        private static string D(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
    }
}
