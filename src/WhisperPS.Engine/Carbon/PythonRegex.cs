using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>
    /// A Python 3.11 <c>re</c> pattern (as carbon compiles storage-schema patterns) translated to a .NET regex
    /// that finds a match in exactly the same names, for the constructs both engines share. Constructs whose
    /// meaning differs are rewritten: <c>\w \W \s \S \b \B</c> get Python's Unicode classes, <c>\Z</c> becomes
    /// <c>\z</c>, <c>(?P&lt;n&gt;…)</c> and <c>(?P=n)</c> become .NET's named groups, <c>{,n}</c> becomes
    /// <c>{0,n}</c>, a <c>{</c> that is no quantifier and a <c>[</c> inside a class become literals, a character
    /// outside the BMP becomes one unit. Python errors (bad escapes, global flags not at the start) are errors
    /// here too. Constructs without a faithful equivalent (numbered back-references, octal escapes,
    /// conditionals, possessive quantifiers, verbose and ASCII/locale flags, \N{…}, characters outside the BMP
    /// inside a class) are refused with a clear message rather than approximated.
    /// </summary>
    /// <remarks>Known residual differences: Python rejects variable-width look-behind that .NET accepts; under
    /// IGNORECASE a few non-ASCII case pairs (e.g. the Kelvin sign) may fold differently.</remarks>
    public static class PythonRegex
    {
        private const string WordClass = @"\p{L}\p{N}_";
        private const string SpaceClass = @"\t\n\v\f\r\x1c-\x1f\x20\x85\p{Z}";

        /// <summary>Compiles <paramref name="pattern"/> with Python's meaning; throws
        /// <see cref="CarbonConfigurationException"/> where Python raises or the construct is refused.</summary>
        public static Regex Compile(string pattern)
        {
            if (pattern == null) throw new ArgumentNullException(nameof(pattern));
            var options = RegexOptions.CultureInvariant;
            string translated = Translate(pattern, ref options);
            try
            {
                return new Regex(translated, options);
            }
            catch (ArgumentException ex)
            {
                throw Bad(pattern, ex.Message);
            }
        }

        internal static string Translate(string p, ref RegexOptions options)
        {
            var sb = new StringBuilder(p.Length + 16);
            int i = 0;
            bool canRepeat = false; // something precedes that a quantifier may apply to
            while (i < p.Length)
            {
                char c = p[i];
                switch (c)
                {
                    case '\\':
                        // an assertion (\b \B \A \Z) cannot be repeated in Python
                        canRepeat = i + 1 >= p.Length || "bBAZ".IndexOf(p[i + 1]) < 0;
                        i = Escape(p, i, sb, inClass: false);
                        continue;
                    case '[':
                        i = CharClass(p, i, sb);
                        canRepeat = true;
                        continue;
                    case '(':
                        i = Group(p, i, sb, ref options);
                        canRepeat = false;
                        continue;
                    case '{':
                        {
                            int j = i + 1;
                            string lo = "", hi;
                            bool comma = false;
                            if (j < p.Length && p[j] == '}') { sb.Append(@"\{"); i++; canRepeat = true; continue; }
                            while (j < p.Length && p[j] >= '0' && p[j] <= '9') lo += p[j++];
                            if (j < p.Length && p[j] == ',')
                            {
                                comma = true;
                                j++;
                                hi = "";
                                while (j < p.Length && p[j] >= '0' && p[j] <= '9') hi += p[j++];
                            }
                            else hi = lo;
                            if (j >= p.Length || p[j] != '}') { sb.Append(@"\{"); i++; canRepeat = true; continue; }
                            if (!canRepeat) throw Bad(p, "nothing to repeat at position " + i);
                            sb.Append('{').Append(lo.Length == 0 ? "0" : lo);
                            if (comma) sb.Append(',').Append(hi);
                            sb.Append('}');
                            i = j + 1;
                            i = AfterQuantifier(p, i, sb);
                            canRepeat = false;
                            continue;
                        }
                    case '*':
                    case '+':
                    case '?':
                        if (!canRepeat) throw Bad(p, "nothing to repeat at position " + i);
                        sb.Append(c);
                        i = AfterQuantifier(p, i + 1, sb);
                        canRepeat = false;
                        continue;
                    case '}':
                        sb.Append(@"\}");
                        i++;
                        canRepeat = true;
                        continue;
                    case ')':
                        sb.Append(')');
                        i++;
                        canRepeat = true;
                        continue;
                    case '|':
                        sb.Append('|');
                        i++;
                        canRepeat = false;
                        continue;
                    case '^':
                    case '$':
                        sb.Append(c);
                        i++;
                        canRepeat = false; // Python: nothing to repeat
                        continue;
                    case '.':
                        sb.Append('.');
                        i++;
                        canRepeat = true;
                        continue;
                    default:
                        i = Literal(p, i, sb);
                        canRepeat = true;
                        continue;
                }
            }
            return sb.ToString();
        }

        // A lazy '?' is the same in both; a possessive '+' exists only in Python 3.11.
        private static int AfterQuantifier(string p, int i, StringBuilder sb)
        {
            if (i < p.Length && p[i] == '?') { sb.Append('?'); return i + 1; }
            if (i < p.Length && p[i] == '+') throw Bad(p, "possessive quantifiers have no .NET equivalent (position " + i + ")");
            if (i < p.Length && (p[i] == '*' || p[i] == '{' && IsQuantifierBrace(p, i)))
                throw Bad(p, "multiple repeat at position " + i);
            return i;
        }

        private static bool IsQuantifierBrace(string p, int i)
        {
            int j = i + 1;
            if (j < p.Length && p[j] == '}') return false;
            while (j < p.Length && p[j] >= '0' && p[j] <= '9') j++;
            if (j < p.Length && p[j] == ',') { j++; while (j < p.Length && p[j] >= '0' && p[j] <= '9') j++; }
            return j < p.Length && p[j] == '}';
        }

        private static int Literal(string p, int i, StringBuilder sb)
        {
            char c = p[i];
            if (char.IsHighSurrogate(c) && i + 1 < p.Length && char.IsLowSurrogate(p[i + 1]))
            {
                // one code point in Python: keep a quantifier on the whole pair
                sb.Append("(?:").Append(c).Append(p[i + 1]).Append(')');
                return i + 2;
            }
            if (c == '#' || c == ' ' || "\\*+?|{}[]()^$.".IndexOf(c) >= 0) sb.Append('\\');
            sb.Append(c);
            return i + 1;
        }

        private static int Escape(string p, int i, StringBuilder sb, bool inClass)
        {
            if (i + 1 >= p.Length) throw Bad(p, "bad escape (end of pattern) at position " + i);
            char e = p[i + 1];
            switch (e)
            {
                case 'd': case 'D': sb.Append('\\').Append(e); return i + 2;
                case 'w': sb.Append(inClass ? WordClass : "[" + WordClass + "]"); return i + 2;
                case 's': sb.Append(inClass ? SpaceClass : "[" + SpaceClass + "]"); return i + 2;
                case 'W':
                case 'S':
                    if (inClass) throw Bad(p, @"\" + e + " inside a character class is not supported (position " + i + ")");
                    sb.Append("[^").Append(e == 'W' ? WordClass : SpaceClass).Append(']');
                    return i + 2;
                case 'b':
                    if (inClass) { sb.Append(@"\b"); return i + 2; } // backspace in both
                    sb.Append("(?:(?<=[" + WordClass + "])(?![" + WordClass + "])|(?<![" + WordClass + "])(?=[" + WordClass + "]))");
                    return i + 2;
                case 'B':
                    if (inClass) throw Bad(p, @"bad escape \B in a character class (position " + i + ")");
                    sb.Append("(?:(?<=[" + WordClass + "])(?=[" + WordClass + "])|(?<![" + WordClass + "])(?![" + WordClass + "]))");
                    return i + 2;
                case 'A':
                    if (inClass) throw Bad(p, @"bad escape \A in a character class (position " + i + ")");
                    sb.Append(@"\A"); return i + 2;
                case 'Z':
                    if (inClass) throw Bad(p, @"bad escape \Z in a character class (position " + i + ")");
                    sb.Append(@"\z"); return i + 2;
                case 'a': case 'f': case 'n': case 'r': case 't': case 'v':
                    sb.Append('\\').Append(e); return i + 2;
                case 'x':
                    return HexEscape(p, i, 2, sb);
                case 'u':
                    return HexEscape(p, i, 4, sb);
                case 'U':
                    return HexEscape(p, i, 8, sb);
            }
            if (e >= '0' && e <= '9')
                throw Bad(p, "back-references and octal escapes are not supported (position " + i + ")");
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z'))
                throw Bad(p, @"bad escape \" + e + " at position " + i);
            // any other escaped character is itself
            if (char.IsHighSurrogate(e) && i + 2 < p.Length && char.IsLowSurrogate(p[i + 2]))
            {
                if (inClass) throw Bad(p, "characters outside the BMP inside a character class are not supported");
                sb.Append("(?:").Append(e).Append(p[i + 2]).Append(')');
                return i + 3;
            }
            sb.Append('\\').Append(e);
            return i + 2;
        }

        private static int HexEscape(string p, int i, int digits, StringBuilder sb)
        {
            if (i + 2 + digits > p.Length) throw Bad(p, "incomplete escape \\" + p[i + 1] + " at position " + i);
            string hex = p.Substring(i + 2, digits);
            foreach (char h in hex)
                if (!Uri.IsHexDigit(h)) throw Bad(p, "incomplete escape \\" + p[i + 1] + hex + " at position " + i);
            long cp = long.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (cp > 0x10FFFF) throw Bad(p, "bad escape \\" + p[i + 1] + hex + " at position " + i);
            if (cp > 0xFFFF) throw Bad(p, "characters outside the BMP by escape are not supported (position " + i + ")");
            sb.Append("\\u").Append(cp.ToString("X4", CultureInfo.InvariantCulture));
            return i + 2 + digits;
        }

        private static int CharClass(string p, int i, StringBuilder sb)
        {
            int start = i;
            sb.Append('[');
            i++;
            if (i < p.Length && p[i] == '^') { sb.Append('^'); i++; }
            bool first = true;
            while (true)
            {
                if (i >= p.Length) throw Bad(p, "unterminated character set at position " + start);
                char c = p[i];
                if (c == ']' && !first) { sb.Append(']'); return i + 1; }
                first = false;
                if (c == '\\') { i = Escape(p, i, sb, inClass: true); continue; }
                if (char.IsSurrogate(c)) throw Bad(p, "characters outside the BMP inside a character class are not supported");
                if (c == '[' || c == ']' || c == '^') sb.Append('\\');
                sb.Append(c);
                i++;
            }
        }

        private static int Group(string p, int i, StringBuilder sb, ref RegexOptions options)
        {
            if (i + 1 >= p.Length || p[i + 1] != '?') { sb.Append('('); return i + 1; }
            if (i + 2 >= p.Length) throw Bad(p, "unexpected end of pattern at position " + i);
            char k = p[i + 2];
            switch (k)
            {
                case ':': case '=': case '!': case '>':
                    sb.Append("(?").Append(k); return i + 3;
                case '<':
                    if (i + 3 < p.Length && (p[i + 3] == '=' || p[i + 3] == '!')) { sb.Append("(?<").Append(p[i + 3]); return i + 4; }
                    throw Bad(p, "unknown extension ?<" + (i + 3 < p.Length ? p[i + 3].ToString() : "") + " at position " + i);
                case '#':
                    {
                        int close = p.IndexOf(')', i);
                        if (close < 0) throw Bad(p, "missing ), unterminated comment at position " + i);
                        return close + 1;
                    }
                case 'P':
                    {
                        if (i + 3 < p.Length && p[i + 3] == '<')
                        {
                            int close = p.IndexOf('>', i + 4);
                            if (close < 0) throw Bad(p, "missing >, unterminated name at position " + i);
                            string name = CheckName(p, p.Substring(i + 4, close - i - 4));
                            sb.Append("(?<").Append(name).Append('>');
                            return close + 1;
                        }
                        if (i + 3 < p.Length && p[i + 3] == '=')
                        {
                            int close = p.IndexOf(')', i + 4);
                            if (close < 0) throw Bad(p, "missing ), unterminated name at position " + i);
                            string name = CheckName(p, p.Substring(i + 4, close - i - 4));
                            sb.Append(@"\k<").Append(name).Append('>');
                            return close + 1;
                        }
                        throw Bad(p, "unknown extension ?P at position " + i);
                    }
            }
            // flags: (?imsu) at the start only, or scoped (?i-s:...)
            int j = i + 2;
            string on = "", off = "";
            while (j < p.Length && "aiLmsux".IndexOf(p[j]) >= 0) on += p[j++];
            if (j < p.Length && p[j] == '-')
            {
                j++;
                while (j < p.Length && "aiLmsux".IndexOf(p[j]) >= 0) off += p[j++];
                if (off.Length == 0) throw Bad(p, "missing flag at position " + j);
            }
            if (j >= p.Length || (p[j] != ')' && p[j] != ':') || (on.Length == 0 && off.Length == 0))
                throw Bad(p, "unknown extension or missing flag at position " + i);
            foreach (char f in on + off)
                if ("imsu".IndexOf(f) < 0) throw Bad(p, "the (?" + f + ") flag is not supported (position " + i + ")");
            on = on.Replace("u", "");
            if (p[j] == ')')
            {
                if (off.Length > 0) throw Bad(p, "missing : after flags at position " + j);
                if (i != 0) throw Bad(p, "global flags not at the start of the expression at position " + i);
                foreach (char f in on)
                    options |= f == 'i' ? RegexOptions.IgnoreCase : f == 'm' ? RegexOptions.Multiline : RegexOptions.Singleline;
                return j + 1;
            }
            sb.Append("(?").Append(on);
            if (off.Length > 0) sb.Append('-').Append(off);
            sb.Append(':');
            return j + 1;
        }

        private static string CheckName(string p, string name)
        {
            bool ok = name.Length > 0 && !(name[0] >= '0' && name[0] <= '9');
            foreach (char c in name) ok &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            if (!ok) throw Bad(p, "bad character in group name '" + name + "' (only ASCII identifiers are supported)");
            return name;
        }

        private static CarbonConfigurationException Bad(string pattern, string why) =>
            new CarbonConfigurationException("pattern '" + pattern + "': " + why, null);
    }
}
