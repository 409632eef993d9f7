using System.Collections.Generic;
using System.Text;

namespace WhisperPS.Export
{
    /// <summary>Reads the header line of an existing CSV file, as Import-Csv would split it.</summary>
    internal static class CsvHeader
    {
        internal static string[] Split(string line, char delimiter)
        {
            var fields = new List<string>();
            var sb = new StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else sb.Append(c);
                }
                else if (c == '"') quoted = true;
                else if (c == delimiter) { fields.Add(sb.ToString()); sb.Clear(); }
                else sb.Append(c);
            }
            fields.Add(sb.ToString());
            // Import-Csv drops trailing empty names (a trailing delimiter).
            while (fields.Count > 1 && fields[fields.Count - 1].Length == 0) fields.RemoveAt(fields.Count - 1);
            return fields.ToArray();
        }
    }
}
