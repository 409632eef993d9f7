using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using WhisperPS.Engine;

namespace WhisperPS.Export
{
    /// <summary>
    /// One row at a time into a reused buffer, handed to the writer whole: the text writer only ever holds complete
    /// rows, so a stopped export (Ctrl+C) flushes a file that ends with the last complete row.
    /// </summary>
    internal sealed class RowBuffer
    {
        private char[] _chars = new char[256];
        private int _length;

        internal void Clear() => _length = 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void Append(char c)
        {
            if (_length == _chars.Length) Array.Resize(ref _chars, _chars.Length * 2);
            _chars[_length++] = c;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void Append(string s)
        {
            if (s == null) return;
            if (_length + s.Length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + s.Length));
            s.CopyTo(0, _chars, _length, s.Length);
            _length += s.Length;
        }

        /// <summary>Appends a non-negative integer's digits: what long.ToString gives in every culture (.NET formats
        /// integers with ASCII digits and no group separators), without a string.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void AppendDigits(long value)
        {
            if (_length + 20 > _chars.Length) Array.Resize(ref _chars, _chars.Length * 2 + 20);
            int digits = 1;
            for (long v = value; v >= 10; v /= 10) digits++;
            int end = _length + digits;
            for (int i = end - 1; i >= _length; i--)
            {
                _chars[i] = (char)('0' + (int)(value % 10));
                value /= 10;
            }
            _length = end;
        }

        [MethodImpl(LongSeriesWriter.AggressiveOptimization)]
        internal void WriteLineTo(TextWriter writer)
        {
            writer.Write(_chars, 0, _length);
            writer.WriteLine();
        }
    }

    /// <summary>
    /// Formatted times of the slots being written. Every file of a tree read over the same range has the same
    /// slot times, so each is formatted once, not once per file.
    /// </summary>
    internal sealed class TimeTextCache
    {
        private readonly Dictionary<long, string> _texts = new Dictionary<long, string>();
        private readonly Func<long, string> _format;

        internal TimeTextCache(Func<long, string> format) => _format = format;

        internal string Get(long unixTime)
        {
            if (_texts.TryGetValue(unixTime, out string s)) return s;
            // Bounded: a very long range of one file must not keep every time it ever wrote.
            if (_texts.Count >= 1 << 16) _texts.Clear();
            s = _format(unixTime);
            _texts.Add(unixTime, s);
            return s;
        }
    }

    /// <summary>One row per slot (the Csv and JsonLines formats): what Get-WhisperSeries emits, as text.</summary>
    internal abstract class LongSeriesWriter
    {
        // MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name; older runtimes ignore it. For the
        // code run once per file or row: a single export is over before the tiered JIT would have optimized it.
        internal const MethodImplOptions AggressiveOptimization = (MethodImplOptions)512;

        protected LongSeriesWriter(TextWriter writer) => Writer = writer;

        protected TextWriter Writer { get; }

        protected RowBuffer Row { get; } = new RowBuffer();

        /// <summary>Rows written so far.</summary>
        internal long Rows { get; private set; }

        internal abstract void WriteHeader();

        /// <summary>Writes one file's slots; <paramref name="checkStop"/> runs every 1,024 slots.</summary>
        // Optimized at once, not after the tiered JIT has seen it run: a single export calls it once per file.
        [MethodImpl(AggressiveOptimization)]
        internal void WriteSeries(string path, FetchResult result, bool includeEmpty, Action checkStop)
        {
            BeginFile(path);
            for (int i = 0; i < result.Count; i++)
            {
                if ((i & 1023) == 0) checkStop();
                bool known = result.TryGetValue(i, out double value);
                if (!known && !includeEmpty) continue;
                Row.Clear();
                AppendRow(result.TimestampAt(i), known, value);
                Row.WriteLineTo(Writer);
                Rows++;
            }
        }

        protected abstract void BeginFile(string path);

        protected abstract void AppendRow(long unixTime, bool known, double value);
    }

    /// <summary>The columns of WhisperPoint, in the order of the file's header.</summary>
    internal enum PointColumn
    {
        Path,
        Timestamp,
        UnixTime,
        Value,
        /// <summary>A column of an appended-to file that a point does not have: written empty (Export-Csv -Append -Force).</summary>
        Other,
    }

    /// <summary>Byte for byte what <c>Get-WhisperSeries | Export-Csv</c> writes for the same slots.</summary>
    internal sealed class CsvSeriesWriter : LongSeriesWriter
    {
        internal static readonly string[] PointColumnNames = { "Path", "Timestamp", "UnixTime", "Value" };

        private readonly CsvFormat _format;
        private readonly PointColumn[] _columns;
        private readonly string[] _headerNames;
        private readonly TimeTextCache _times;
        private string _pathField;

        internal CsvSeriesWriter(TextWriter writer, CsvFormat format, string[] headerNames) : base(writer)
        {
            _format = format;
            _headerNames = headerNames ?? PointColumnNames;
            _columns = new PointColumn[_headerNames.Length];
            for (int i = 0; i < _columns.Length; i++)
            {
                int k = Array.FindIndex(PointColumnNames, n => string.Equals(n, _headerNames[i], StringComparison.OrdinalIgnoreCase));
                _columns[i] = k < 0 ? PointColumn.Other : (PointColumn)k;
            }
            _times = new TimeTextCache(t => _format.Field(_format.Timestamp(t)));
        }

        internal override void WriteHeader() => Writer.WriteLine(_format.Line(_headerNames));

        protected override void BeginFile(string path) => _pathField = _format.Field(path);

        [MethodImpl(AggressiveOptimization)]
        protected override void AppendRow(long unixTime, bool known, double value)
        {
            for (int c = 0; c < _columns.Length; c++)
            {
                if (c > 0) Row.Append(_format.Delimiter);
                switch (_columns[c])
                {
                    case PointColumn.Path:
                        Row.Append(_pathField);
                        break;
                    case PointColumn.Timestamp:
                        Row.Append(_times.Get(unixTime));
                        break;
                    case PointColumn.UnixTime:
                        _format.AppendField(Row, unixTime);
                        break;
                    case PointColumn.Value:
                        if (known) _format.AppendField(Row, value);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// One JSON object per line with the properties of WhisperPoint. Invariant and exact: Timestamp in ISO 8601
    /// with its offset, Value in the shortest form that reads back to the same double (-0.0 kept as such), and
    /// the values JSON has no number for as the strings "NaN", "Infinity" and "-Infinity".
    /// </summary>
    internal sealed class JsonLinesSeriesWriter : LongSeriesWriter
    {
        private readonly TimeTextCache _times = new TimeTextCache(t =>
            ",\"Timestamp\":\"" + DateTimeOffset.FromUnixTimeSeconds(t).ToString("yyyy'-'MM'-'dd'T'HH':'mm':'sszzz", CultureInfo.InvariantCulture) +
            "\",\"UnixTime\":" + t.ToString(CultureInfo.InvariantCulture) + ",\"Value\":");
        private string _prefix;

        internal JsonLinesSeriesWriter(TextWriter writer) : base(writer)
        {
        }

        internal override void WriteHeader()
        {
        }

        protected override void BeginFile(string path) => _prefix = "{\"Path\":" + JsonString(path);

        protected override void AppendRow(long unixTime, bool known, double value)
        {
            Row.Append(_prefix);
            Row.Append(_times.Get(unixTime));
            Row.Append(known ? JsonNumber(value) : "null");
            Row.Append('}');
        }

        internal static string JsonNumber(double value)
        {
            if (double.IsNaN(value)) return "\"NaN\"";
            if (double.IsPositiveInfinity(value)) return "\"Infinity\"";
            if (double.IsNegativeInfinity(value)) return "\"-Infinity\"";
            if (value == 0 && BitConverter.DoubleToInt64Bits(value) != 0) return "-0.0";
            // "R" is the shortest exact form on .NET Core; on .NET Framework it can miss, where G17 never does.
            string r = value.ToString("R", CultureInfo.InvariantCulture);
            return double.Parse(r, CultureInfo.InvariantCulture) == value ? r : value.ToString("G17", CultureInfo.InvariantCulture);
        }

        internal static string JsonString(string s)
        {
            var sb = new System.Text.StringBuilder(s.Length + 2);
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('"').ToString();
        }
    }
}
