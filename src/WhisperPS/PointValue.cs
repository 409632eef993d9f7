using System;
using System.Globalization;

namespace WhisperPS
{
    /// <summary>
    /// Reads a point's value the way whisper's float() would, from what PowerShell hands over: numbers, or strings
    /// (invariant culture first, then the current culture, so a de-DE "1,5" from Export-Csv reads back as 1.5).
    /// </summary>
    internal static class PointValue
    {
        /// <summary>Python's float('nan'): the positive quiet NaN. .NET's double.NaN has the sign bit set, and
        /// files must match whisper's byte for byte.</summary>
        internal static readonly double PythonNaN = BitConverter.Int64BitsToDouble(0x7FF8000000000000L);

        private static readonly double PythonNegativeNaN = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8000000000000UL));

        /// <summary>Null or an empty string: no value, a gap in the series.</summary>
        internal static bool IsGap(object value)
        {
            return value == null || (value is string s && s.Trim().Length == 0);
        }

        internal static bool TryParse(object value, out double result)
        {
            result = 0;
            switch (value)
            {
                case double d:
                    result = Normalize(d);
                    return true;
                case float f:
                    result = Normalize(f);
                    return true;
                case decimal m:
                    result = (double)m;
                    return true;
                case string s:
                    return TryParseString(s, out result);
                case bool _:
                case char _:
                    return false;
                case IConvertible c when IsInteger(c.GetTypeCode()):
                    result = c.ToDouble(CultureInfo.InvariantCulture);
                    return true;
                default:
                    return false;
            }
        }

        private static bool TryParseString(string text, out double result)
        {
            result = 0;
            string s = text.Trim();
            switch (s.ToLowerInvariant())
            {
                // Python float() spellings; .NET Framework only knows "NaN" and "Infinity".
                case "nan":
                case "+nan":
                    result = PythonNaN;
                    return true;
                case "-nan":
                    result = PythonNegativeNaN;
                    return true;
                case "inf":
                case "+inf":
                case "infinity":
                case "+infinity":
                    result = double.PositiveInfinity;
                    return true;
                case "-inf":
                case "-infinity":
                    result = double.NegativeInfinity;
                    return true;
            }
            // No thousands separators: "1,5" must not become 15 under the invariant culture.
            const NumberStyles styles = NumberStyles.Float;
            if (double.TryParse(s, styles, CultureInfo.InvariantCulture, out result) ||
                double.TryParse(s, styles, CultureInfo.CurrentCulture, out result))
            {
                result = Normalize(result);
                return true;
            }
            return false;
        }

        private static double Normalize(double d) => double.IsNaN(d) ? PythonNaN : d;

        private static bool IsInteger(TypeCode code)
        {
            return code == TypeCode.SByte || code == TypeCode.Byte || code == TypeCode.Int16 || code == TypeCode.UInt16 ||
                   code == TypeCode.Int32 || code == TypeCode.UInt32 || code == TypeCode.Int64 || code == TypeCode.UInt64;
        }
    }
}
