using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace WhisperPS.Export
{
    /// <summary>
    /// -Encoding as PowerShell 7's file cmdlets take it: an Encoding object, one of their names (utf8 = UTF-8
    /// without BOM, utf8BOM, utf8NoBOM, ascii, unicode, bigendianunicode, utf32, bigendianutf32, oem, ansi, latin1),
    /// a code page number or a .NET encoding name.
    /// </summary>
    public sealed class EncodingTransformationAttribute : ArgumentTransformationAttribute
    {
        internal static readonly string[] Names =
            { "ascii", "ansi", "bigendianunicode", "bigendianutf32", "latin1", "oem", "unicode", "utf32", "utf8", "utf8BOM", "utf8NoBOM" };

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object o = inputData is PSObject pso ? pso.BaseObject : inputData;
            switch (o)
            {
                case Encoding e:
                    return e;
                case int codePage:
                    return Encoding.GetEncoding(codePage);
                case string s:
                    var named = FromName(s);
                    if (named != null) return named;
                    if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int cp)) return Encoding.GetEncoding(cp);
                    try
                    {
                        return Encoding.GetEncoding(s);
                    }
                    catch (ArgumentException)
                    {
                        throw new ArgumentTransformationMetadataException("'" + s + "' is not an encoding. Use one of " +
                            string.Join(", ", Names) + ", a code page number or an encoding name.");
                    }
            }
            return inputData;
        }

        internal static Encoding FromName(string name)
        {
            switch (name.ToLowerInvariant())
            {
                case "ascii": return new ASCIIEncoding();
                case "ansi": return Encoding.GetEncoding(CultureInfo.CurrentCulture.TextInfo.ANSICodePage);
                case "bigendianunicode": return new UnicodeEncoding(true, true);
                case "bigendianutf32": return new UTF32Encoding(true, true);
                case "latin1": return Encoding.GetEncoding(28591);
                case "oem": return Encoding.GetEncoding(CultureInfo.CurrentCulture.TextInfo.OEMCodePage);
                case "unicode": return new UnicodeEncoding(false, true);
                case "utf32": return new UTF32Encoding(false, true);
                case "utf8":
                case "utf8nobom": return new UTF8Encoding(false);
                case "utf8bom": return new UTF8Encoding(true);
                default: return null;
            }
        }
    }

    /// <summary>Tab completion of the encoding names.</summary>
    public sealed class EncodingCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return EncodingTransformationAttribute.Names
                .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
        }
    }
}
