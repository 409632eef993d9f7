using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>
    /// Metric name ↔ whisper file path as carbon-cache 1.1.7 maps them.
    /// </summary>
    /// <remarks>
    /// carbon first normalizes every received name (its cache parses it as a tagged series and stores the
    /// re-formatted name; a name that does not parse is kept as received), then encodes it: a name without
    /// <c>;</c> has its dots turned into folders and leading separators dropped (so <c>a..b</c> and <c>.a.b</c>
    /// both land in <c>a/b.wsp</c>, and <c>a.b.</c> in <c>a/b/.wsp</c>); a tagged name goes to
    /// <c>_tagged/&lt;3 hex&gt;/&lt;3 hex&gt;/&lt;sha256&gt;.wsp</c>, hashed over its normalized UTF-8 text
    /// (TAG_HASH_FILENAMES = True, carbon's default), or with its dots spelled <c>_DOT_</c> when that setting is off.
    /// Relative paths use <c>/</c>; the absolute variants join with the platform's separator.
    /// </remarks>
    public static class MetricPath
    {
        /// <summary>The file extension carbon gives whisper files.</summary>
        public const string Extension = ".wsp";

        /// <summary>The top-level folder of tagged series.</summary>
        public const string TaggedFolder = "_tagged";

        // carbon's OpenMetrics segment: tag="value" with \" and \\ escapes, then ',' (or ':,', a quirk of its
        // pattern) or the end. Anchored like Python's re.match; '$' also matches before a final newline in both.
        private static readonly Regex OpenMetricsSegment = new Regex(
            "^([^=]+)=\"((?:[\\\\][\"\\\\]|[^\"\\\\])+)\"(:?,|$)", RegexOptions.CultureInvariant);

        /// <summary>
        /// The name carbon-cache stores a received metric under: a tagged series (<c>name;tag=value</c> or
        /// OpenMetrics <c>name{tag="value"}</c>) with its tags sorted and de-duplicated (the last value wins) and
        /// leading <c>~</c> removed from its name; an untagged name with leading <c>~</c> removed. A name carbon
        /// cannot parse is returned unchanged, as carbon then stores it as received.
        /// </summary>
        public static string Normalize(string metric)
        {
            if (metric == null) throw new ArgumentNullException(nameof(metric));
            return TryParseTagged(metric, out string name, out var tags) ? Format(name, tags) : metric;
        }

        /// <summary>True if <paramref name="metric"/>, once normalized, is stored as a tagged series.</summary>
        public static bool IsTagged(string metric) => Normalize(metric).IndexOf(';') >= 0;

        /// <summary>The file carbon creates for <paramref name="metric"/>, relative to its storage root
        /// (LOCAL_DATA_DIR), with <c>/</c> separators and repeated separators collapsed as the file system does.</summary>
        /// <param name="metric">the metric name as sent to carbon</param>
        /// <param name="hashTaggedNames">carbon's TAG_HASH_FILENAMES (default True)</param>
        public static string ToRelativePath(string metric, bool hashTaggedNames = true)
        {
            string normalized = Normalize(metric);
            string encoded;
            if (normalized.IndexOf(';') >= 0)
            {
                string hash = Sha256Hex(normalized);
                encoded = TaggedFolder + "/" + hash.Substring(0, 3) + "/" + hash.Substring(3, 3) + "/" +
                          (hashTaggedNames ? hash : normalized.Replace(".", "_DOT_"));
            }
            else
            {
                encoded = normalized.Replace('.', '/').TrimStart('/');
            }
            return CollapseSeparators(encoded + Extension);
        }

        /// <summary><see cref="ToRelativePath"/> joined to <paramref name="storageRoot"/>.</summary>
        public static string ToAbsolutePath(string storageRoot, string metric, bool hashTaggedNames = true)
        {
            if (storageRoot == null) throw new ArgumentNullException(nameof(storageRoot));
            string rel = ToRelativePath(metric, hashTaggedNames);
            if (Path.DirectorySeparatorChar != '/') rel = rel.Replace('/', Path.DirectorySeparatorChar);
            return Path.Combine(storageRoot, rel);
        }

        /// <summary>
        /// The metric name a file under the storage root holds, as carbon decodes it: separators become dots and
        /// <c>.wsp</c> is dropped; a file in <c>_tagged/&lt;3 hex&gt;/&lt;3 hex&gt;/</c> holds a tagged series whose
        /// <c>_DOT_</c> are dots. A tagged file stored by its hash cannot be named from its path: null.
        /// </summary>
        /// <remarks>carbon's own decode treats anything starting with <c>_tagged</c> as tagged (so the plain metric
        /// <c>_tagged.abc</c>, stored at <c>_tagged/abc.wsp</c>, would decode to <c>abc</c>); here only carbon's
        /// real tagged layout is, so such a file keeps its name.</remarks>
        /// <param name="relativePath">a path relative to the storage root, with <c>/</c> or the platform's separator</param>
        public static string FromRelativePath(string relativePath)
        {
            if (relativePath == null) throw new ArgumentNullException(nameof(relativePath));
            string p = Path.DirectorySeparatorChar == '/' ? relativePath : relativePath.Replace(Path.DirectorySeparatorChar, '/');
            p = CollapseSeparators(p).TrimStart('/');
            if (p.EndsWith(Extension, StringComparison.Ordinal)) p = p.Substring(0, p.Length - Extension.Length);
            var m = TaggedLayout.Match(p);
            if (m.Success)
            {
                string last = m.Groups[1].Value;
                return IsSha256Hex(last) ? null : last.Replace("_DOT_", ".");
            }
            return p.Replace('/', '.');
        }

        /// <summary><see cref="FromRelativePath"/> for a file under <paramref name="storageRoot"/>; null if the
        /// file is not under it.</summary>
        public static string FromAbsolutePath(string storageRoot, string path)
        {
            string relative = RelativeToRoot(storageRoot, path);
            return relative == null ? null : FromRelativePath(relative);
        }

        /// <summary>The path of a file relative to the storage root, or null if it is not under it (names compared
        /// as the platform's file system does: case-insensitively on Windows).</summary>
        public static string RelativeToRoot(string storageRoot, string path)
        {
            if (storageRoot == null) throw new ArgumentNullException(nameof(storageRoot));
            if (path == null) throw new ArgumentNullException(nameof(path));
            string root = Path.GetFullPath(storageRoot).TrimEnd('/', '\\', Path.DirectorySeparatorChar);
            string full = Path.GetFullPath(path);
            var cmp = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (full.Length <= root.Length + 1 || !full.StartsWith(root, cmp)) return null;
            char sep = full[root.Length];
            if (sep != '/' && sep != '\\' && sep != Path.DirectorySeparatorChar) return null;
            return full.Substring(root.Length + 1);
        }

        private static readonly Regex TaggedLayout = new Regex("^_tagged/[0-9a-f]{3}/[0-9a-f]{3}/(.+)$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline);

        private static string CollapseSeparators(string p)
        {
            if (p.IndexOf("//", StringComparison.Ordinal) < 0) return p;
            var sb = new StringBuilder(p.Length);
            foreach (char c in p)
                if (c != '/' || sb.Length == 0 || sb[sb.Length - 1] != '/') sb.Append(c);
            return sb.ToString();
        }

        private static bool IsSha256Hex(string s)
        {
            if (s.Length != 64) return false;
            foreach (char c in s)
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
            return true;
        }

        internal static string Sha256Hex(string text)
        {
            using (var sha = SHA256.Create())
            {
                byte[] h = sha.ComputeHash(new UTF8Encoding(false, false).GetBytes(text));
                var sb = new StringBuilder(64);
                foreach (byte b in h) sb.Append(b.ToString("x2"));
                return sb.ToString();
            }
        }

        // Tagged-series parsing as carbon's TaggedSeries.parse: OpenMetrics when the name ends with "} and has a
        // '{', else name;tag=value;... . False where carbon raises (it then keeps the raw name).
        private static bool TryParseTagged(string path, out string name, out Dictionary<string, string> tags)
        {
            tags = new Dictionary<string, string>(StringComparer.Ordinal);
            name = null;
            if (path.EndsWith("\"}", StringComparison.Ordinal) && path.IndexOf('{') >= 0)
            {
                // path[0:-1].split('{', 2) unpacked into two: exactly one '{' allowed.
                string body = path.Substring(0, path.Length - 1);
                int brace = body.IndexOf('{');
                if (body.IndexOf('{', brace + 1) >= 0) return false;
                string metric = body.Substring(0, brace);
                string raw = body.Substring(brace + 1);
                if (metric.Length == 0) return false;
                while (raw.Length > 0)
                {
                    var m = OpenMetricsSegment.Match(raw);
                    if (!m.Success) return false;
                    string tag = m.Groups[1].Value;
                    string value = m.Groups[2].Value.Replace("\\\"", "\"").Replace("\\\\", "\\");
                    if (!ValidTagAndValue(tag, value)) return false;
                    tags[tag] = value;
                    raw = raw.Substring(m.Length);
                }
                if (!SanitizeName(metric, out string n)) return false;
                tags["name"] = n;
                name = metric;
                return true;
            }

            var segments = path.Split(';');
            if (segments[0].Length == 0) return false;
            for (int i = 1; i < segments.Length; i++)
            {
                int eq = segments[i].IndexOf('=');
                if (eq <= 0) return false;
                string tag = segments[i].Substring(0, eq), value = segments[i].Substring(eq + 1);
                if (!ValidTagAndValue(tag, value)) return false;
                tags[tag] = value;
            }
            if (!SanitizeName(segments[0], out string sanitized)) return false;
            tags["name"] = sanitized;
            name = segments[0];
            return true;
        }

        private static bool ValidTagAndValue(string tag, string value)
        {
            if (tag.Length == 0 || value.Length == 0) return false;
            if (tag.IndexOfAny(new[] { ';', '!', '^', '=' }) >= 0) return false;
            if (value.IndexOf(';') >= 0) return false;
            return value[0] != '~';
        }

        private static bool SanitizeName(string name, out string sanitized)
        {
            sanitized = name.TrimStart('~');
            return sanitized.Length > 0;
        }

        // name + the sorted ';tag=value' strings, sorted by code point as Python sorts str.
        private static string Format(string name, Dictionary<string, string> tags)
        {
            var parts = new List<string>();
            foreach (var kv in tags)
                if (kv.Key != "name") parts.Add(";" + kv.Key + "=" + kv.Value);
            parts.Sort(CodePointComparer.Instance);
            return tags["name"] + string.Concat(parts);
        }
    }

    /// <summary>Orders strings by Unicode code point, as Python compares str (UTF-16 ordinal order differs
    /// for characters above U+FFFF against U+E000–U+FFFF).</summary>
    internal sealed class CodePointComparer : IComparer<string>
    {
        public static readonly CodePointComparer Instance = new CodePointComparer();

        public int Compare(string a, string b)
        {
            int i = 0, j = 0;
            while (i < a.Length && j < b.Length)
            {
                int ca = Next(a, ref i), cb = Next(b, ref j);
                if (ca != cb) return ca < cb ? -1 : 1;
            }
            return (a.Length - i).CompareTo(b.Length - j);
        }

        private static int Next(string s, ref int i)
        {
            char c = s[i++];
            if (char.IsHighSurrogate(c) && i < s.Length && char.IsLowSurrogate(s[i])) return char.ConvertToUtf32(c, s[i++]);
            return c;
        }
    }
}
