using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using WhisperPS.Charts;
using WhisperPS.Engine;

namespace WhisperPS.Commands
{
    /// <summary>
    /// What Show-WhisperChart and Export-WhisperChart share: the series come from files (-Path/-LiteralPath, read
    /// as Get-WhisperSeries reads them) or from piped WhisperPoint objects (one series per Path), and are reduced to
    /// the chart's columns. Files are reduced as they are read, so a year of 10-second data costs one column array
    /// per series, not its three million slots.
    /// </summary>
    public abstract class WhisperChartCmdlet : WhisperSeriesCmdlet
    {
        internal const string InputObjectSet = "InputObject";

        private sealed class PointBuffer
        {
            internal readonly List<long> Times = new List<long>();
            internal readonly List<double?> Values = new List<double?>();
        }

        private readonly List<KeyValuePair<string, ChartSeries>> _files = new List<KeyValuePair<string, ChartSeries>>();
        private readonly List<string> _pointOrder = new List<string>();
        private readonly Dictionary<string, PointBuffer> _points = new Dictionary<string, PointBuffer>(StringComparer.Ordinal);

        /// <summary>Points to draw, for example from Get-WhisperSeries; one series per Path.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        public WhisperPoint[] InputObject { get; set; }

        /// <summary>Label the time axis in this machine's time zone instead of UTC.</summary>
        [Parameter]
        public SwitchParameter LocalTime { get; set; }

        /// <summary>How many time columns the chart has; fixed before the first file is read.</summary>
        internal abstract int PlotColumns { get; }

        protected override void BeginProcessing()
        {
            ResolveRange();
            if (ParameterSetName == InputObjectSet && IsBound(nameof(Archive)))
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("-Archive chooses what is read from files; piped points are drawn as they are."),
                    ErrorIds.ArchiveInvalid, ErrorCategory.InvalidArgument, Archive));
        }

        /// <summary>The whisper files of this record (Export-WhisperChart takes them from -InputPath).</summary>
        internal virtual IEnumerable<ResolvedFile> ChartInputFiles() => ResolveInputFiles();

        protected override void ProcessRecord()
        {
            ThrowIfStopping();
            if (ParameterSetName == InputObjectSet)
            {
                if (InputObject == null) return;
                foreach (var p in InputObject)
                {
                    if (p == null) continue;
                    string key = p.Path ?? string.Empty;
                    if (!_points.TryGetValue(key, out var buffer))
                    {
                        buffer = new PointBuffer();
                        _points.Add(key, buffer);
                        _pointOrder.Add(key);
                    }
                    buffer.Times.Add(p.UnixTime);
                    buffer.Values.Add(p.Value);
                }
                return;
            }
            foreach (var file in ChartInputFiles())
            {
                ThrowIfStopping();
                try
                {
                    var series = ReadFile(file.Path);
                    if (series != null) _files.Add(new KeyValuePair<string, ChartSeries>(file.Path, series));
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Read);
                }
            }
        }

        /// <summary>The series in input order with display names, and the time range they are drawn over.
        /// Null (after an error or when there was no input) means nothing to draw.</summary>
        internal ChartLayout CollectLayout()
        {
            var paths = new List<string>();
            var series = new List<ChartSeries>();
            long start, end;
            if (ParameterSetName == InputObjectSet)
            {
                if (_pointOrder.Count == 0) return null;
                start = long.MaxValue;
                end = long.MinValue;
                foreach (var key in _pointOrder)
                {
                    foreach (long t in _points[key].Times)
                    {
                        if (t < start) start = t;
                        if (t > end) end = t;
                    }
                }
                // The range given on the command line wins; else the points' own range.
                if (IsBound(nameof(From))) start = RangeFrom;
                if (IsBound(nameof(Until))) end = RangeUntil;
                end += 1;
                foreach (var key in _pointOrder)
                {
                    var buffer = _points[key];
                    var order = new int[buffer.Times.Count];
                    for (int i = 0; i < order.Length; i++) order[i] = i;
                    var times = buffer.Times;
                    Array.Sort(order, (a, b) => times[a] != times[b] ? times[a].CompareTo(times[b]) : a.CompareTo(b));
                    var s = new ChartSeries(key, start, end, PlotColumns, InferStep(times, order));
                    foreach (int i in order) s.Add(times[i], buffer.Values[i]);
                    paths.Add(key);
                    series.Add(s);
                }
            }
            else
            {
                if (_files.Count == 0) return null;
                start = RangeFrom;
                end = RangeUntil + 1;
                foreach (var f in _files)
                {
                    paths.Add(f.Key);
                    series.Add(f.Value);
                }
            }
            var names = DisplayNames(paths);
            for (int i = 0; i < series.Count; i++) series[i].Name = names[i];
            return new ChartLayout(series, start, end, LocalTime);
        }

        /// <summary>Reads one file with the fetch Get-WhisperSeries uses and reduces it to the chart's columns.
        /// Null when there is nothing to draw (an -Archive the file lacks).</summary>
        private ChartSeries ReadFile(string path)
        {
            var result = FetchSeries(path);
            if (result == null)
            {
                if (IsBound(nameof(Archive))) return null;
                return new ChartSeries(path, RangeFrom, RangeUntil + 1, PlotColumns, 1);
            }
            var series = new ChartSeries(path, RangeFrom, RangeUntil + 1, PlotColumns, result.Step);
            for (int i = 0; i < result.Count; i++)
            {
                if ((i & 0xFFFF) == 0) ThrowIfStopping();
                series.Add(result.TimestampAt(i), result.TryGetValue(i, out double v) ? v : (double?)null);
            }
            return series;
        }

        /// <summary>The slot step of piped points: the smallest distance between two of their times. Points
        /// further apart than that are not joined, so missing slots show as gaps.</summary>
        private static long InferStep(List<long> times, int[] order)
        {
            long step = long.MaxValue;
            for (int k = 1; k < order.Length; k++)
            {
                long d = times[order[k]] - times[order[k - 1]];
                if (d > 0 && d < step) step = d;
            }
            return step == long.MaxValue ? 1 : step;
        }

        /// <summary>Names people recognise: the paths relative to their common folder, without '.wsp'
        /// (web01/cpu/user); one file is named by its file name.</summary>
        internal static List<string> DisplayNames(List<string> paths)
        {
            var names = new List<string>();
            string common = SeriesPaths.CommonFolder(paths);
            foreach (var p in paths)
            {
                string rel = SeriesPaths.Below(p, common);
                if (rel.EndsWith(".wsp", StringComparison.OrdinalIgnoreCase)) rel = rel.Substring(0, rel.Length - 4);
                names.Add(rel.Length == 0 ? p : rel.Replace('\\', '/'));
            }
            return names;
        }
    }
}
