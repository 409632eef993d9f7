using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace WhisperPS.Export
{
    /// <summary>How Export-Csv quotes fields (its -UseQuotes), with the same rules.</summary>
    public enum CsvQuoting
    {
        /// <summary>Never quote.</summary>
        Never,

        /// <summary>Quote every field; the default, as Export-Csv's.</summary>
        Always,

        /// <summary>Quote a field only when it contains the delimiter, a double quote or a line feed.</summary>
        AsNeeded,
    }

    /// <summary>
    /// Fields as PowerShell 7's Export-Csv writes them: a value's own ToString() in the current culture; quotes per
    /// -UseQuotes with an inner double quote doubled; a null value (an empty slot) as nothing at all, not even quotes.
    /// </summary>
    internal sealed class CsvFormat
    {
        internal CsvFormat(char delimiter, CsvQuoting quoting, CultureInfo culture)
        {
            Delimiter = delimiter;
            Quoting = quoting;
            Culture = culture;
            _decimalSeparator = culture.NumberFormat.NumberDecimalSeparator;
            _negativeSign = culture.NumberFormat.NegativeSign;
            // With -UseQuotes AsNeeded a number is quoted when its text holds the delimiter (de-DE's decimal comma
            // with -Delimiter ','): such numbers take the string path, which decides per value.
            string numberChars = "0123456789" + _decimalSeparator + _negativeSign;
            _numbersNeedNoQuotes = numberChars.IndexOf(delimiter) < 0 && numberChars.IndexOf('"') < 0 && numberChars.IndexOf('\n') < 0;
        }

        private readonly string _decimalSeparator;
        private readonly string _negativeSign;
        private readonly bool _numbersNeedNoQuotes;

        internal char Delimiter { get; }

        internal CsvQuoting Quoting { get; }

        internal CultureInfo Culture { get; }

        /// <summary>The field as it appears in the file; null stays null (nothing is written).</summary>
        internal string Field(string value)
        {
            if (value == null) return null;
            bool quote = Quoting == CsvQuoting.Always ||
                         (Quoting == CsvQuoting.AsNeeded && value.IndexOfAny(new[] { Delimiter, '\n', '"' }) >= 0);
            if (!quote) return value;
            var sb = new StringBuilder(value.Length + 2);
            sb.Append('"');
            foreach (char c in value)
            {
                if (c == '"') sb.Append('"');
                sb.Append(c);
            }
            return sb.Append('"').ToString();
        }

        /// <summary>Appends the field as <see cref="Field"/> writes it, without a string of its own.</summary>
        [MethodImpl(LongSeriesWriter.AggressiveOptimization)]
        internal void AppendField(RowBuffer row, string value)
        {
            if (value == null) return;
            bool quote = Quoting == CsvQuoting.Always ||
                         (Quoting == CsvQuoting.AsNeeded && (value.IndexOf(Delimiter) >= 0 || value.IndexOf('\n') >= 0 || value.IndexOf('"') >= 0));
            if (!quote)
            {
                row.Append(value);
                return;
            }
            row.Append('"');
            if (value.IndexOf('"') < 0)
            {
                row.Append(value);
            }
            else
            {
                foreach (char c in value)
                {
                    if (c == '"') row.Append('"');
                    row.Append(c);
                }
            }
            row.Append('"');
        }

        /// <summary>Appends an integer field as <see cref="AppendField(RowBuffer, string)"/> writes its
        /// <see cref="Number(long)"/>, without the string when it is a plain run of digits.</summary>
        [MethodImpl(LongSeriesWriter.AggressiveOptimization)]
        internal void AppendField(RowBuffer row, long value)
        {
            // A negative number has the culture's sign; a digit as the delimiter would need quoting when AsNeeded.
            if (value < 0 || (Quoting == CsvQuoting.AsNeeded && Delimiter >= '0' && Delimiter <= '9'))
            {
                AppendField(row, Number(value));
                return;
            }
            if (Quoting == CsvQuoting.Always) row.Append('"');
            row.AppendDigits(value);
            if (Quoting == CsvQuoting.Always) row.Append('"');
        }

        /// <summary>Appends a value field as <see cref="AppendField(RowBuffer, string)"/> writes its
        /// <see cref="Number(double)"/>, without the string when <see cref="ShortDecimal"/> finds its text.</summary>
        [MethodImpl(LongSeriesWriter.AggressiveOptimization)]
        internal void AppendField(RowBuffer row, double value)
        {
            if (Quoting == CsvQuoting.AsNeeded && !_numbersNeedNoQuotes)
            {
                AppendField(row, Number(value));
                return;
            }
            long digits = ShortDecimal(value, out int decimals);
            if (digits < 0)
            {
                AppendField(row, Number(value));
                return;
            }
            if (Quoting == CsvQuoting.Always) row.Append('"');
            if (value < 0) row.Append(_negativeSign);
            if (decimals == 0)
            {
                row.AppendDigits(digits);
            }
            else
            {
                long scale = Pow10[decimals];
                row.AppendDigits(digits / scale);
                row.Append(_decimalSeparator);
                long fraction = digits % scale;
                for (long z = scale / 10; z > fraction && z > 1; z /= 10) row.Append('0');
                row.AppendDigits(fraction);
            }
            if (Quoting == CsvQuoting.Always) row.Append('"');
        }

        private static readonly long[] Pow10 = BuildPow10();

        private static long[] BuildPow10()
        {
            var p = new long[19];
            p[0] = 1;
            for (int i = 1; i < p.Length; i++) p[i] = p[i - 1] * 10;
            return p;
        }

        /// <summary>
        /// The digits m and decimals d of the shortest decimal m / 10^d that reads back as |value|, for values that
        /// Double.ToString writes as plain digits (1e-4 &lt;= |value| &lt; 1e15) with at most 15 significant digits;
        /// -1 for any other value (zero's sign, NaN, infinities, exponents, 16 and 17 digits), which the caller formats
        /// with ToString. Exact: m and 10^d are exact doubles, so m / 10^d is the correctly rounded value of that
        /// decimal; the first d that reads back has the fewest digits, and below 10^15 no other decimal of as many
        /// digits reads back (their spacing exceeds the double's), so it is the text shortest-round-trip formatting
        /// (.NET Core 3.0+) and G15 (.NET Framework) both write.
        /// </summary>
        [MethodImpl(LongSeriesWriter.AggressiveOptimization)]
        internal static long ShortDecimal(double value, out int decimals)
        {
            decimals = 0;
            double a = value < 0 ? -value : value;
            if (!(a >= 1e-4 && a < 1e15))
            {
                if (a == 0 && BitConverter.DoubleToInt64Bits(value) == 0) return 0; // +0.0 is "0"; -0.0 differs by runtime
                return -1;
            }
            double scale = 1;
            for (int d = 0; d <= 18; d++, scale *= 10)
            {
                double scaled = a * scale;
                if (scaled >= 1e15) return -1;
                double m = Math.Round(scaled);
                if (m / scale == a)
                {
                    decimals = d;
                    return (long)m;
                }
            }
            return -1;
        }

        /// <summary>A header line from column names.</summary>
        internal string Line(string[] fields)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < fields.Length; i++)
            {
                if (i > 0) sb.Append(Delimiter);
                sb.Append(Field(fields[i]));
            }
            return sb.ToString();
        }

        /// <summary>Export-Csv writes DateTimeOffset.ToString() and Double.ToString(): both in the current culture.</summary>
        internal string Timestamp(long unixTime) => System.DateTimeOffset.FromUnixTimeSeconds(unixTime).ToString(Culture);

        internal string Number(double value) => value.ToString(Culture);

        internal string Number(long value) => value.ToString(Culture);
    }
}
