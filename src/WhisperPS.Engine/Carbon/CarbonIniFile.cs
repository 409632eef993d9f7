using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>
    /// A configuration file read as carbon 1.1.7 reads storage-schemas.conf and storage-aggregation.conf: Python
    /// 3's ConfigParser (strict, '=' or ':' delimiters, only whole-line '#'/';' comments, so an inline '# note' is
    /// part of the value, quotes kept, indented continuation lines, lower-cased option names, '%' interpolation,
    /// a [DEFAULT] section inherited by every section) with sections taken in the order carbon's
    /// OrderedConfigParser lists them: every stripped line that starts with '[' and ends with ']'.
    /// </summary>
    internal sealed class CarbonIniFile
    {
        private const string DefaultSection = "DEFAULT";
        private const int MaxInterpolationDepth = 10;

        private readonly Dictionary<string, Dictionary<string, List<string>>> _sections =
            new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<string>> _defaults = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _joinedDefaults = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, Dictionary<string, string>> _joined = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);

        /// <summary>Section names in carbon's order (OrderedConfigParser.sections()).</summary>
        public List<string> OrderedSections { get; } = new List<string>();

        public string FileName { get; }

        private CarbonIniFile(string fileName)
        {
            FileName = fileName;
        }

        /// <summary>Reads <paramref name="path"/>; <see cref="CarbonConfigurationException"/> where Python raises.</summary>
        public static CarbonIniFile Read(string path)
        {
            var lines = new List<string>();
            using (var reader = new StreamReader(path, new UTF8Encoding(false, true), false))
            {
                string l;
                while ((l = reader.ReadLine()) != null) lines.Add(l);
            }
            return Parse(lines, path);
        }

        internal static CarbonIniFile Parse(IList<string> lines, string fileName)
        {
            var ini = new CarbonIniFile(fileName);
            ini.ParseLines(lines);
            foreach (var line in lines)
            {
                string s = PythonText.Strip(line);
                if (s.Length >= 2 && s[0] == '[' && s[s.Length - 1] == ']') ini.OrderedSections.Add(s.Substring(1, s.Length - 2));
            }
            return ini;
        }

        private void ParseLines(IList<string> lines)
        {
            var added = new HashSet<string>(StringComparer.Ordinal);
            Dictionary<string, List<string>> cursect = null;
            string sectname = null, optname = null;
            int indentLevel = 0;
            var errors = new List<string>();
            for (int n = 0; n < lines.Count; n++)
            {
                string line = lines[n];
                int lineno = n + 1;
                string stripped = PythonText.Strip(line);
                bool fullComment = stripped.StartsWith("#", StringComparison.Ordinal) || stripped.StartsWith(";", StringComparison.Ordinal);
                string value = fullComment ? "" : stripped;
                if (value.Length == 0)
                {
                    // Blank lines belong to a multi-line value (joined, then right-stripped); comment lines do not.
                    if (!fullComment && cursect != null && optname != null && cursect[optname] != null) cursect[optname].Add("");
                    continue;
                }
                int firstNonSpace = 0;
                while (firstNonSpace < line.Length && PythonText.IsSpace(line[firstNonSpace])) firstNonSpace++;
                int curIndent = firstNonSpace < line.Length ? firstNonSpace : 0;
                if (cursect != null && optname != null && curIndent > indentLevel)
                {
                    cursect[optname].Add(value);
                    continue;
                }
                indentLevel = curIndent;
                int close = value.LastIndexOf(']');
                if (value[0] == '[' && close >= 2)
                {
                    sectname = value.Substring(1, close - 1);
                    if (_sections.TryGetValue(sectname, out var existing))
                    {
                        if (added.Contains(sectname))
                            throw Fail("section '" + sectname + "' already exists (line " + lineno + ")");
                        cursect = existing;
                        added.Add(sectname);
                    }
                    else if (sectname == DefaultSection)
                    {
                        cursect = _defaults;
                    }
                    else
                    {
                        cursect = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                        _sections[sectname] = cursect;
                        added.Add(sectname);
                    }
                    optname = null;
                    continue;
                }
                if (cursect == null)
                    throw Fail("file contains no section headers (line " + lineno + ": '" + line + "')");
                int delim = value.IndexOfAny(new[] { '=', ':' });
                if (delim < 0)
                {
                    errors.Add("[line " + lineno + "]: '" + line + "'");
                    continue;
                }
                string option = PythonText.RStrip(value.Substring(0, delim));
                if (option.Length == 0) errors.Add("[line " + lineno + "]: '" + line + "'");
                optname = option.ToLowerInvariant();
                string key = sectname + "\u0000" + optname;
                if (added.Contains(key))
                    throw Fail("option '" + optname + "' in section '" + sectname + "' already exists (line " + lineno + ")");
                added.Add(key);
                cursect[optname] = new List<string> { PythonText.Strip(value.Substring(delim + 1)) };
            }
            foreach (var kv in _defaults) _joinedDefaults[kv.Key] = PythonText.RStrip(string.Join("\n", kv.Value));
            foreach (var s in _sections)
            {
                var d = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var kv in s.Value) d[kv.Key] = PythonText.RStrip(string.Join("\n", kv.Value));
                _joined[s.Key] = d;
            }
            if (errors.Count > 0) throw Fail("parsing errors: " + string.Join(", ", errors));
        }

        /// <summary>ConfigParser.items(section): the [DEFAULT] options overlaid with the section's, interpolated.
        /// A section carbon lists but the parser never created (an indented '[x]' line) raises, as in Python.</summary>
        public Dictionary<string, string> Items(string section)
        {
            var d = new Dictionary<string, string>(_joinedDefaults, StringComparer.Ordinal);
            if (_joined.TryGetValue(section, out var own))
                foreach (var kv in own) d[kv.Key] = kv.Value;
            else if (section != DefaultSection)
                throw Fail("no section: '" + section + "'");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in d)
            {
                var sb = new StringBuilder();
                Interpolate(section, kv.Key, sb, kv.Value, d, 1);
                result[kv.Key] = sb.ToString();
            }
            return result;
        }

        // BasicInterpolation: %% is a percent sign, %(name)s another option's value; any other % raises.
        private void Interpolate(string section, string option, StringBuilder accum, string rest, Dictionary<string, string> map, int depth)
        {
            if (depth > MaxInterpolationDepth)
                throw Fail("recursion limit exceeded in value substitution: option '" + option + "' in section '" + section + "'");
            while (rest.Length > 0)
            {
                int p = rest.IndexOf('%');
                if (p < 0)
                {
                    accum.Append(rest);
                    return;
                }
                accum.Append(rest, 0, p);
                rest = rest.Substring(p);
                char c = rest.Length > 1 ? rest[1] : '\0';
                if (rest.Length > 1 && c == '%')
                {
                    accum.Append('%');
                    rest = rest.Substring(2);
                }
                else if (rest.Length > 1 && c == '(')
                {
                    int close = rest.IndexOf(')', 2);
                    if (close <= 2 || close + 1 >= rest.Length || rest[close + 1] != 's')
                        throw Fail("bad interpolation variable reference '" + rest + "' in option '" + option + "' of section '" + section + "'");
                    string var = rest.Substring(2, close - 2).ToLowerInvariant();
                    rest = rest.Substring(close + 2);
                    if (!map.TryGetValue(var, out string v))
                        throw Fail("bad interpolation: option '" + option + "' in section '" + section + "' refers to '" + var + "', which does not exist");
                    if (v.IndexOf('%') >= 0) Interpolate(section, option, accum, v, map, depth + 1);
                    else accum.Append(v);
                }
                else
                {
                    throw Fail("'%' must be followed by '%' or '(' (option '" + option + "' in section '" + section + "', value '" + rest + "')");
                }
            }
        }

        private CarbonConfigurationException Fail(string message) =>
            new CarbonConfigurationException(FileName + ": " + message + "; carbon-cache would not start with this file.", FileName);
    }
}
