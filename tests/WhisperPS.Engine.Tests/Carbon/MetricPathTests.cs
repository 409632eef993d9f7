using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using WhisperPS.Engine.Carbon;
using Xunit;

namespace WhisperPS.Engine.Tests.Carbon
{
    /// <summary>MetricPath against carbon 1.1.7's own TaggedSeries (the cache's normalization, then the whisper
    /// database's encoding), imported from the installed graphite-carbon in the same run.</summary>
    public class MetricPathTests
    {
        // What carbon-cache does with a received name: cache.py normalizes (keeping the raw name when parsing
        // raises), database.py encodes with os.sep and appends .wsp under LOCAL_DATA_DIR. Repeated separators
        // are collapsed by the file system; here by re.sub so the strings compare.
        private const string CarbonPaths = @"
import sys, re
from carbon.util import TaggedSeries
for line in sys.stdin:
    m = bytes.fromhex(line.strip()).decode('utf-8')
    try:
        n = TaggedSeries.parse(m).path
    except Exception:
        n = m
    out = [n]
    for h in (True, False):
        out.append(re.sub('/+', '/', TaggedSeries.encode(n, '/', hash_only=h) + '.wsp'))
    rel = out[2]
    out.append(TaggedSeries.decode(rel[:-4], '/'))
    print(' '.join(x.encode('utf-8').hex() for x in out))
";

        private static readonly string[] HandPicked =
        {
            "a.b.c", "a..b", "...a...b...", ".leading", "trailing.", "a.b.", "~tilde.name", "~~~", "~", "~.a",
            "a/b.c", "a//b", "sp\u00e9cial.\u00fcnicode.\U0001F600", "x;tag=value", "x;b=2;a=1", "x;a=1;a=2",
            "x;a=1;", "x;=1", "x;a=", "x;a!=1", "x;a^b=1", "x;a=~v", "x;a=v~", "~x;a=1", "~;a=1", ";a=1",
            "x;name=other", "some.metric;tag1=value2;tag2=value.2", "x{a=\"b\"}", "x{a=\"b\",c=\"d\"}",
            "x{c=\"d\",a=\"b\"}", "x{a=\"b\\\"q\"}", "x{a=\"b\\\\\"}", "{a=\"b\"}", "x{a=\"b\"}{\"}", "x{a=\"~b\"}",
            "x{a=\"b\":,c=\"d\"}", "x{a=\"b\",}", "x.y{a=\"1.2\"}", "x;a=b;c=d.e", "x;\U0001F600=1;\uE000=2",
            "x;a\uE000=1;a\U0001F600=2", "_tagged.abc", "a.wsp", "x{}\"}", "x{a=\"\"}",
        };

        [Fact]
        [Trait(Needs.Trait, Needs.Carbon)]
        public void HandPickedNamesMapAsCarbonMapsThem() => Compare(HandPicked, 0);

        [Fact]
        [Trait(Needs.Trait, Needs.Carbon)]
        public void RandomNamesMapAsCarbonMapsThem()
        {
            const int seed = 1207;
            var rnd = new Random(seed);
            var names = new List<string>();
            for (int i = 0; i < 5000; i++) names.Add(RandomName(rnd));
            Compare(names, seed);
        }

        [Fact]
        public void HashedTaggedFilesHaveNoRecoverableName()
        {
            string rel = MetricPath.ToRelativePath("cpu;host=a");
            Assert.StartsWith("_tagged/", rel);
            Assert.Null(MetricPath.FromRelativePath(rel));
            Assert.Equal("cpu;host=a", MetricPath.FromRelativePath(MetricPath.ToRelativePath("cpu;host=a", hashTaggedNames: false)));
            Assert.Equal("a.b", MetricPath.FromRelativePath("a" + System.IO.Path.DirectorySeparatorChar + "b.wsp"));
            string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "root");
            Assert.Equal("x.y.z", MetricPath.FromAbsolutePath(root, MetricPath.ToAbsolutePath(root, "x..y.z")));
            Assert.Null(MetricPath.FromAbsolutePath(root, System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rootx", "a.wsp")));
        }

        private static readonly string[] Pieces =
        {
            "a", "b", "cpu", "host", ".", ".", "..", ";", "=", "~", "{", "}", "\"", "\\", ",", ":", "!", "^", "/", "_",
            "-", "1", "\u00e9", "\U0001F600", "\uE000", " ", "name", "_DOT_", "\"}", "=\"", "\",",
        };

        internal static string RandomName(Random rnd)
        {
            var sb = new StringBuilder();
            switch (rnd.Next(5))
            {
                case 4: // well-formed tags in random order, some repeated, some names with '~' or dots
                    sb.Append(rnd.Next(4) == 0 ? "~" : "").Append("m").Append(rnd.Next(3) == 0 ? ".x.y" : "");
                    for (int k = rnd.Next(1, 6); k > 0; k--)
                        sb.Append(';').Append((char)('a' + rnd.Next(6))).Append(rnd.Next(3) == 0 ? "\u00e9" : "").Append('=').Append(RandomPart(rnd, 1, 2).Replace(";", "").Replace("~", "") + "v");
                    break;
                case 0: // carbon tagged form
                    sb.Append(RandomPart(rnd, 1, 3));
                    for (int k = rnd.Next(5); k > 0; k--) sb.Append(';').Append(RandomPart(rnd, 0, 2)).Append('=').Append(RandomPart(rnd, 0, 2));
                    break;
                case 1: // OpenMetrics form
                    sb.Append(RandomPart(rnd, 0, 3)).Append('{');
                    for (int k = rnd.Next(4); k > 0; k--)
                    {
                        sb.Append(RandomPart(rnd, 0, 2)).Append("=\"").Append(RandomPart(rnd, 0, 2)).Append('"');
                        if (k > 1 || rnd.Next(8) == 0) sb.Append(rnd.Next(6) == 0 ? ":," : ",");
                    }
                    sb.Append('}');
                    break;
                case 2: // dotted plain names
                    for (int k = rnd.Next(1, 6); k > 0; k--) sb.Append(new string('.', rnd.Next(0, 3))).Append(RandomPart(rnd, 1, 2));
                    if (rnd.Next(4) == 0) sb.Append('.');
                    break;
                default:
                    sb.Append(RandomPart(rnd, 1, 8));
                    break;
            }
            return sb.ToString();
        }

        private static string RandomPart(Random rnd, int min, int max)
        {
            var sb = new StringBuilder();
            for (int n = rnd.Next(min, max + 1); n > 0; n--)
                sb.Append(rnd.Next(3) == 0 ? Pieces[rnd.Next(Pieces.Length)] : ((char)('a' + rnd.Next(4))).ToString());
            return sb.ToString();
        }

        private static void Compare(IList<string> names, int seed)
        {
            string output = CarbonPython.Run(CarbonPaths, CarbonPython.HexLines(names));
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(names.Count, lines.Length);
            var failures = new List<string>();
            int tagged = 0, raw = 0, decodeQuirks = 0;
            for (int i = 0; i < names.Count; i++)
            {
                var py = lines[i].Split(' ').Select(CarbonPython.Unhex).ToArray();
                string m = names[i];
                string normalized = MetricPath.Normalize(m), hashed = MetricPath.ToRelativePath(m), plain = MetricPath.ToRelativePath(m, false);
                if (normalized.Contains(';')) tagged++;
                if (normalized == m) raw++;
                string decoded = MetricPath.FromRelativePath(plain);
                // carbon's decode turns _DOT_ back into dots for tagged names and separators into dots otherwise,
                // but takes any path starting with '_tagged' as tagged: there we keep the plain reading.
                string expectedDecoded = py[3];
                if (plain.StartsWith("_tagged") && !System.Text.RegularExpressions.Regex.IsMatch(plain, "^_tagged/[0-9a-f]{3}/[0-9a-f]{3}/"))
                {
                    expectedDecoded = plain.Substring(0, plain.Length - 4).Replace('/', '.');
                    decodeQuirks++;
                }
                if (normalized != py[0] || hashed != py[1] || plain != py[2] || decoded != expectedDecoded)
                    failures.Add("seed " + seed + " case " + i + " name '" + m + "': ours [" + normalized + " | " + hashed + " | " + plain + " | " + decoded +
                                 "] carbon [" + string.Join(" | ", py) + "]");
            }
            Console.WriteLine("MetricPath: " + names.Count + " names compared with carbon (" + tagged + " tagged, " + raw + " unchanged by normalization, " + decodeQuirks + " where carbon's decode misreads a plain '_tagged' name), " + failures.Count + " mismatches");
            Assert.True(failures.Count == 0, failures.Count + " of " + names.Count + " names differ:\n" + string.Join("\n", failures.Take(30)));
        }
    }
}
