using System;
using System.Collections.Generic;
using System.IO;
using WhisperPS.Engine;

namespace WhisperPS.Export
{
    /// <summary>One input file of a wide export: its column and how its slots roll up into the common step.</summary>
    internal sealed class WideColumn
    {
        internal WideColumn(string path, long step, AggregationMethod method, double xFilesFactor, long oldest)
        {
            Path = path;
            Step = step;
            Method = method;
            XFilesFactor = xFilesFactor;
            Oldest = oldest;
        }

        internal string Path { get; }

        /// <summary>Seconds per point of the archive the whole range reads.</summary>
        internal long Step { get; }

        internal AggregationMethod Method { get; }

        internal double XFilesFactor { get; }

        /// <summary>The oldest time that archive can hold (now - its retention).</summary>
        internal long Oldest { get; }

        internal string Name { get; set; }

        /// <summary>Set once reading the file failed: the rest of its column stays empty.</summary>
        internal bool Failed { get; set; }

        internal double[] Values;
        internal bool[] Known;
    }

    /// <summary>
    /// The wide table: Timestamp, UnixTime, then one column per file, one row per multiple of the common step (the
    /// least common multiple of the files' steps) in (From, Until]. The range is read in windows of rows, every
    /// file once per window, so memory is files × window rows whatever the length of the range.
    /// </summary>
    internal sealed class WideSeriesWriter
    {
        /// <summary>Slots held at once across all files of a window (about 9 bytes each while rolled up).</summary>
        internal const long WindowSlotBudget = 1 << 21;

        private readonly TextWriter _writer;
        private readonly CsvFormat _format;
        private readonly List<WideColumn> _columns;
        private readonly RowBuffer _row = new RowBuffer();

        internal WideSeriesWriter(TextWriter writer, CsvFormat format, List<WideColumn> columns)
        {
            _writer = writer;
            _format = format;
            _columns = columns;
            Step = 1;
            foreach (var c in columns) Step = Lcm(Step, c.Step);
            long slotsPerRow = 0;
            foreach (var c in columns) slotsPerRow += Step / c.Step;
            WindowRows = (int)Math.Max(1, Math.Min(1 << 16, WindowSlotBudget / Math.Max(1, slotsPerRow)));
        }

        /// <summary>The common step: every file's step divides it.</summary>
        internal long Step { get; }

        /// <summary>Rows read and held per window.</summary>
        internal int WindowRows { get; }

        internal long Rows { get; private set; }

        /// <summary>
        /// Column names: each file's metric name, i.e. its path relative to the deepest folder holding every input
        /// file, without ".wsp" and with folder separators as dots (carbon's naming). Names that would still collide
        /// keep their relative path instead.
        /// </summary>
        internal static void AssignNames(List<WideColumn> columns)
        {
            string root = SeriesPaths.CommonFolder(columns.ConvertAll(c => c.Path));
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var c in columns)
            {
                string rel = SeriesPaths.Below(c.Path, root);
                c.Name = rel;
                string metric = rel.EndsWith(".wsp", StringComparison.OrdinalIgnoreCase) ? rel.Substring(0, rel.Length - 4) : rel;
                metric = metric.Replace('\\', '.').Replace('/', '.');
                counts[metric] = counts.TryGetValue(metric, out int n) ? n + 1 : 1;
            }
            foreach (var c in columns)
            {
                string rel = c.Name;
                string metric = rel.EndsWith(".wsp", StringComparison.OrdinalIgnoreCase) ? rel.Substring(0, rel.Length - 4) : rel;
                metric = metric.Replace('\\', '.').Replace('/', '.');
                if (counts[metric] == 1) c.Name = metric;
            }
        }

        internal void WriteHeader()
        {
            var names = new string[_columns.Count + 2];
            names[0] = "Timestamp";
            names[1] = "UnixTime";
            for (int i = 0; i < _columns.Count; i++) names[i + 2] = _columns[i].Name;
            _writer.WriteLine(_format.Line(names));
        }

        /// <summary>
        /// Writes the rows of (from, until]. <paramref name="fetch"/> reads a file's slots of (from, until] in the
        /// archive with the given step, or throws an engine or I/O exception, which <paramref name="fileError"/>
        /// reports once per file.
        /// </summary>
        internal void WriteRows(long from, long until, bool includeEmpty,
            Func<WideColumn, long, long, FetchResult> fetch, Action<WideColumn, Exception> fileError, Action checkStop, Action<long, long> progress)
        {
            long oldest = long.MaxValue;
            foreach (var c in _columns) oldest = Math.Min(oldest, c.Oldest);
            // Rows start at the first multiple of the step after from (as whisper's slots do), and never before
            // the oldest slot any file's archive can hold, so -IncludeEmpty does not list empty decades.
            long start = Math.Max(from, oldest - 1);
            long firstRow = FloorDiv(start, Step) * Step + Step;
            long lastRow = FloorDiv(until, Step) * Step;
            if (lastRow < firstRow) return;
            long totalRows = (lastRow - firstRow) / Step + 1;
            foreach (var c in _columns)
            {
                c.Values = new double[WindowRows];
                c.Known = new bool[WindowRows];
            }
            var fineValues = new double[0];
            var fineKnown = new bool[0];
            for (long w = firstRow; w <= lastRow; w += WindowRows * Step)
            {
                int rows = (int)Math.Min(WindowRows, (lastRow - w) / Step + 1);
                long windowEnd = w + rows * Step; // exclusive
                foreach (var c in _columns)
                {
                    checkStop();
                    Array.Clear(c.Known, 0, rows);
                    if (c.Failed) continue;
                    FetchResult r;
                    try
                    {
                        // Slots t with w <= t < windowEnd: whisper's fetch returns (from, until] aligned up.
                        r = fetch(c, w - 1, windowEnd - 1);
                    }
                    catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                    {
                        c.Failed = true;
                        fileError(c, ex);
                        continue;
                    }
                    if (r == null) continue;
                    int perRow = (int)(Step / c.Step);
                    if (perRow == 1)
                    {
                        for (int i = 0; i < r.Count; i++)
                        {
                            long t = r.TimestampAt(i);
                            if (t < w || t >= windowEnd || t > until) continue;
                            int k = (int)((t - w) / Step);
                            c.Known[k] = r.TryGetValue(i, out c.Values[k]);
                        }
                        continue;
                    }
                    // A finer file: whisper's roll-up of its slots in each row (those inside the range only).
                    if (fineValues.Length < perRow)
                    {
                        fineValues = new double[perRow];
                        fineKnown = new bool[perRow];
                    }
                    for (int k = 0; k < rows; k++)
                    {
                        Array.Clear(fineKnown, 0, perRow);
                        long rowTime = w + k * Step;
                        for (int j = 0; j < perRow; j++)
                        {
                            long t = rowTime + j * c.Step;
                            long index = (t - r.FromInterval) / c.Step;
                            if (t <= from || t > until || index < 0 || index >= r.Count) continue;
                            fineKnown[j] = r.TryGetValue((int)index, out fineValues[j]);
                        }
                        c.Known[k] = SlotRollup.TryAggregate(c.Method, c.XFilesFactor, fineValues, fineKnown, perRow, out c.Values[k]);
                    }
                }
                for (int k = 0; k < rows; k++)
                {
                    if ((k & 1023) == 0) checkStop();
                    bool any = false;
                    foreach (var c in _columns) any |= c.Known[k];
                    if (!any && !includeEmpty) continue;
                    long t = w + k * Step;
                    _row.Clear();
                    _row.Append(_format.Field(_format.Timestamp(t)));
                    _row.Append(_format.Delimiter);
                    _format.AppendField(_row, _format.Number(t));
                    foreach (var c in _columns)
                    {
                        _row.Append(_format.Delimiter);
                        if (c.Known[k]) _format.AppendField(_row, _format.Number(c.Values[k]));
                    }
                    _row.WriteLineTo(_writer);
                    Rows++;
                }
                progress((windowEnd - firstRow) / Step, totalRows);
            }
        }

        private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

        private static long Gcd(long a, long b)
        {
            while (b != 0)
            {
                long t = a % b;
                a = b;
                b = t;
            }
            return a;
        }

        private static long Lcm(long a, long b) => a / Gcd(a, b) * b;
    }
}
