using System;
using System.Globalization;
using System.Text;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>The few Python 3 string rules carbon's configuration reading depends on.</summary>
    internal static class PythonText
    {
        /// <summary>str.isspace: .NET's white space plus the information separators U+001C–U+001F.</summary>
        public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

        public static string Strip(string s) => RStrip(LStrip(s));

        public static string LStrip(string s)
        {
            int i = 0;
            while (i < s.Length && IsSpace(s[i])) i++;
            return s.Substring(i);
        }

        public static string RStrip(string s)
        {
            int j = s.Length;
            while (j > 0 && IsSpace(s[j - 1])) j--;
            return s.Substring(0, j);
        }

        /// <summary>str.isdigit followed by int(): true only when every character is a decimal digit (Unicode Nd,
        /// which int() accepts); <paramref name="value"/> is its value. Digits int() refuses (superscripts) make
        /// carbon fail, as does an empty string: both give false here and the caller treats that as carbon does.</summary>
        public static bool TryParseDecimalDigits(string s, out long value)
        {
            value = 0;
            if (s.Length == 0) return false;
            foreach (char c in s)
            {
                if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.DecimalDigitNumber) return false;
                int d = (int)CharUnicodeInfo.GetNumericValue(c);
                if (value > (long.MaxValue - d) / 10) throw new OverflowException("number too large: " + s);
                value = value * 10 + d;
            }
            return true;
        }

        /// <summary>Python's float(str): surrounding white space, sign, digits with single underscores between
        /// them, a fraction and exponent, or inf/infinity/nan in any case. False where Python raises ValueError.</summary>
        public static bool TryParseFloat(string text, out double value)
        {
            value = 0;
            string s = Strip(text);
            var sb = new StringBuilder(s.Length);
            int i = 0;
            if (i < s.Length && (s[i] == '+' || s[i] == '-')) sb.Append(s[i++]);
            string rest = s.Substring(i).ToLowerInvariant();
            if (rest == "inf" || rest == "infinity")
            {
                value = sb.ToString() == "-" ? double.NegativeInfinity : double.PositiveInfinity;
                return true;
            }
            if (rest == "nan")
            {
                value = double.NaN;
                return true;
            }
            bool mantissaDigits = false, seenDot = false, seenExp = false, expDigits = false;
            char prev = '\0';
            for (; i < s.Length; i++)
            {
                char c = s[i];
                bool isDigit = CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber;
                if (isDigit)
                {
                    sb.Append((char)('0' + (int)CharUnicodeInfo.GetNumericValue(c)));
                    if (seenExp) expDigits = true; else mantissaDigits = true;
                }
                else if (c == '_')
                {
                    // only between two digits
                    if (!(prev != '\0' && CharUnicodeInfo.GetUnicodeCategory(prev) == UnicodeCategory.DecimalDigitNumber)) return false;
                    if (i + 1 >= s.Length || CharUnicodeInfo.GetUnicodeCategory(s[i + 1]) != UnicodeCategory.DecimalDigitNumber) return false;
                }
                else if (c == '.' && !seenDot && !seenExp) { seenDot = true; sb.Append('.'); }
                else if ((c == 'e' || c == 'E') && !seenExp && mantissaDigits)
                {
                    seenExp = true;
                    sb.Append('e');
                    if (i + 1 < s.Length && (s[i + 1] == '+' || s[i + 1] == '-')) sb.Append(s[++i]);
                    c = '\0';
                }
                else return false;
                prev = c;
            }
            if (!mantissaDigits || (seenExp && !expDigits)) return false;
            value = double.Parse(sb.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture);
            return true;
        }
    }
}
