using System.Globalization;
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
        }

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
