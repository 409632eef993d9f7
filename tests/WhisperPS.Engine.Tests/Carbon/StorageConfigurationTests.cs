using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WhisperPS.Engine.Carbon;
using WhisperPS.Engine.Tests.Support;
using Xunit;

namespace WhisperPS.Engine.Tests.Carbon
{
    /// <summary>CarbonStorageConfiguration against carbon 1.1.7's own carbon.storage (loadStorageSchemas,
    /// loadAggregationSchemas, with whisper as state.database as in carbon-cache) and the writer's first-match
    /// loop, on hand-written configurations with carbon's sharp edges and on random ones.</summary>
    public class StorageConfigurationTests
    {
        // Loads the configuration the way carbon-cache does, then answers, per metric, what the writer decides.
        // A configuration carbon cannot load (SystemExit, a parser error, an assertion) answers ERROR.
        internal const string CarbonDecisions = @"
import sys
from os.path import join
from carbon.conf import settings
settings['LOCAL_DATA_DIR'] = '/nonexistent'
settings['CONF_DIR'] = '/nonexistent'
from carbon import state, log
log.msg = lambda *a, **k: None
log.err = lambda *a, **k: None
from carbon.database import WhisperDatabase
state.database = WhisperDatabase(settings)
import carbon.storage as st
from carbon.util import TaggedSeries
for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    d = bytes.fromhex(parts[0]).decode('utf-8')
    names = [bytes.fromhex(x).decode('utf-8') for x in parts[1:]]
    st.STORAGE_SCHEMAS_CONFIG = join(d, 'storage-schemas.conf')
    st.STORAGE_AGGREGATION_CONFIG = join(d, 'storage-aggregation.conf')
    try:
        schemas = st.loadStorageSchemas()
        aggs = st.loadAggregationSchemas()
    except BaseException as e:
        print('ERROR ' + type(e).__name__)
        continue
    print('OK')
    for m in names:
        try:
            n = TaggedSeries.parse(m).path
        except Exception:
            n = m
        s = next(x for x in schemas if x.matches(n))
        a = next(x for x in aggs if x.matches(n))
        sname = '<fallback>' if isinstance(s, st.DefaultSchema) else s.name
        aname = '<fallback>' if isinstance(a, st.DefaultSchema) else a.name
        arch = ','.join('%d:%d' % t for t in sorted([x.getTuple() for x in s.archives], key=lambda t: t[0]))
        xff, meth = a.archives
        print(' '.join(v.encode('utf-8').hex() for v in [sname, arch, aname, repr(xff), str(meth)]))
";

        internal static string Ours(string confDir, IList<string> names, out string error)
        {
            error = null;
            CarbonStorageConfiguration c;
            try
            {
                c = CarbonStorageConfiguration.Load(confDir);
            }
            catch (CarbonConfigurationException ex)
            {
                error = ex.Message;
                return "ERROR";
            }
            var sb = new StringBuilder("OK\n");
            foreach (var m in names)
            {
                var d = c.Resolve(m);
                string arch = string.Join(",", d.Archives.Select(a => a.SecondsPerPoint + ":" + a.Points));
                string xff = d.AggregationRule.XFilesFactor.HasValue ? PyRepr(d.AggregationRule.XFilesFactor.Value) : "None";
                sb.Append(string.Join(" ", new[] { d.Schema.Name ?? "<fallback>", arch, d.AggregationRule.Name ?? "<fallback>", xff,
                    d.AggregationRule.AggregationMethod ?? "None" }.Select(CarbonPython.Hex))).Append('\n');
            }
            return sb.ToString();
        }

        private static string PyRepr(double x)
        {
            string r = x.ToString("R", CultureInfo.InvariantCulture);
            if (r.Contains("E")) return double.Parse(r, CultureInfo.InvariantCulture).ToString("0.0###################e+00", CultureInfo.InvariantCulture);
            return r.Contains('.') ? r : r + ".0";
        }

        /// <summary>Compares configurations (label, folder) on <paramref name="names"/> in one Python run; returns
        /// the number of differing answers and counts the configurations carbon refused.</summary>
        internal static int Compare(IList<(string Label, string Dir, IList<string> Names)> cases, List<string> failures, out int refused, out int decisions)
        {
            var input = new StringBuilder();
            foreach (var c in cases)
                input.Append(CarbonPython.Hex(c.Dir)).Append(' ').Append(string.Join(" ", c.Names.Select(CarbonPython.Hex))).Append('\n');
            var py = new Queue<string>(CarbonPython.Run(CarbonDecisions, input.ToString()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            int bad = 0;
            refused = 0;
            decisions = 0;
            foreach (var c in cases)
            {
                string head = py.Dequeue();
                var ourLines = Ours(c.Dir, c.Names, out string error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (head != "OK" || ourLines[0] != "OK")
                {
                    if (head.StartsWith("ERROR") && ourLines[0] == "ERROR")
                    {
                        refused++;
                        decisions++;
                        continue;
                    }
                    bad++;
                    failures.Add(c.Label + ": carbon " + head + ", ours " + ourLines[0] + " " + error + "\n" + Dump(c.Dir));
                    if (head == "OK") for (int i = 0; i < c.Names.Count; i++) py.Dequeue();
                    continue;
                }
                for (int i = 0; i < c.Names.Count; i++)
                {
                    string p = py.Dequeue();
                    decisions++;
                    if (p == ourLines[i + 1]) continue;
                    bad++;
                    if (failures.Count < 20)
                        failures.Add(c.Label + " name '" + c.Names[i] + "': carbon [" + Decode(p) + "] ours [" + Decode(ourLines[i + 1]) + "]\n" + Dump(c.Dir));
                }
            }
            return bad;
        }

        private static string Decode(string line) => string.Join(" | ", line.Split(' ').Select(CarbonPython.Unhex));

        private static string Dump(string dir) => string.Concat(Directory.GetFiles(dir, "*.conf").OrderBy(f => f).Select(f => "--- " + Path.GetFileName(f) + "\n" + File.ReadAllText(f)));

        internal static readonly string[] SampleNames =
        {
            "carbon.agents.host.cpu", "carbon.x", "stats.counts.a", "stats.timers.b.sum", "stats.timers.b.count", "a.b", "a..b",
            ".a.b", "x", "x.sum", "cpu;host=a", "cpu;b=2;a=1", "~cpu.load", "mem{host=\"a\"}", "collectd.h.if.rx", "CPU.load", "x # comment",
            "count", "a.count", "total.max", "y.min", "z.last", "abc_2", "h\u00e9.x", "a b",
        };

        /// <summary>Each case a storage-schemas.conf and a storage-aggregation.conf (null: no file).</summary>
        public static IEnumerable<object[]> SharpEdges()
        {
            const string basic = "[carbon]\npattern = ^carbon\\.\nretentions = 60:90d\n[default]\npattern = .*\nretentions = 60s:1d,5m:30d\n";
            const string agg = "[sum]\npattern = \\.count$\nxFilesFactor = 0\naggregationMethod = sum\n[default]\npattern = .*\nxFilesFactor = 0.5\naggregationMethod = average\n";
            yield return new object[] { "basic", basic, agg };
            yield return new object[] { "no aggregation file", basic, null };
            yield return new object[] { "inline comment kept in pattern", "[x]\npattern = ^x # comment\nretentions = 10s:1d\n[all]\npattern = .\nretentions = 1m:1d\n", agg };
            yield return new object[] { "inline comment in retentions stops carbon", "[x]\npattern = ^x\nretentions = 10s:1d # ten seconds\n", agg };
            yield return new object[] { "quotes kept", "[q]\npattern = \"^stats\"\nretentions = 10s:1d\n[q2]\npattern = ^stats\nretentions = 1m:1d\n", "[q]\npattern = '\\.sum$'\naggregationMethod = sum\n[q2]\npattern = sum$\naggregationMethod = max\n" };
            yield return new object[] { "section without pattern skipped", "[default]\nretentions = 1m:1d\n[x]\npattern = ^x\nretentions = 10s:1d\n", "[default]\nxFilesFactor = 0.1\n[x]\npattern = x\nxFilesFactor = 0.2\n" };
            yield return new object[] { "section without retentions skipped", "[x]\npattern = ^x\n[y]\npattern = .\nretentions = 10s:1d\n", agg };
            yield return new object[] { "empty pattern skipped", "[x]\npattern =\nretentions = 10s:1d\n[y]\npattern = a\nretentions = 1m:1d\n", agg };
            yield return new object[] { "invalid archive list skipped", "[bad]\npattern = .\nretentions = 60s:1d,90s:2d\n[dup]\npattern = .\nretentions = 1m:1d,1m:2d\n[ok]\npattern = .\nretentions = 10s:1h,1m:1d\n", agg };
            yield return new object[] { "unsorted archives sorted", "[u]\npattern = .\nretentions = 1h:1y,1m:30d,10s:1d\n", agg };
            yield return new object[] { "bad unit stops carbon", "[u]\npattern = .\nretentions = 1min:1d\n", agg };
            yield return new object[] { "truncated points", "[u]\npattern = .\nretentions = 7s:1m,21s:1h\n", agg };
            yield return new object[] { "trailing comma stops carbon", "[u]\npattern = .\nretentions = 10s:1d,\n", agg };
            yield return new object[] { "aggregation missing key does not fall through", basic, "[a]\npattern = ^stats\naggregationMethod = max\n[b]\npattern = ^stats\nxFilesFactor = 0.9\naggregationMethod = min\n[c]\npattern = ^x\nxFilesFactor = 0.3\n" };
            yield return new object[] { "unparsable xff skipped", basic, "[a]\npattern = .\nxFilesFactor = half\naggregationMethod = max\n[b]\npattern = .\nxFilesFactor = 1_0e-1\naggregationMethod = last\n" };
            yield return new object[] { "xff above 1 stops carbon", basic, "[a]\npattern = .\nxFilesFactor = 1.5\n" };
            yield return new object[] { "xff nan stops carbon", basic, "[a]\npattern = .\nxFilesFactor = nan\n" };
            yield return new object[] { "unknown method stops carbon", basic, "[a]\npattern = .\naggregationMethod = Average\n" };
            yield return new object[] { "unknown method without pattern stops carbon", basic, "[a]\naggregationMethod = median\n" };
            yield return new object[] { "header with trailing comment ignored", "[x] # note\npattern = ^x\nretentions = 10s:1d\n[y]\npattern = .\nretentions = 1m:1d\n", agg };
            yield return new object[] { "DEFAULT inherited", "[DEFAULT]\nretentions = 1m:1d\n[x]\npattern = ^x\n[y]\npattern = .\nretentions = 10s:1h\n", "[DEFAULT]\npattern = .\nxFilesFactor = 0.25\n[x]\naggregationMethod = max\n" };
            yield return new object[] { "interpolation", "[x]\nbase = ^stats\npattern = %(base)s\\.timers\nretentions = 10s:1d\n[pct]\npattern = 100%%\nretentions = 1m:1d\n", agg };
            yield return new object[] { "bad percent stops carbon", "[x]\npattern = ^a%b\nretentions = 10s:1d\n", agg };
            yield return new object[] { "continuation lines", "[x]\npattern = ^stats\nretentions = 10s:1d,\n  1m:7d\n[y]\npattern = .\nretentions = 1m:1d\n", agg };
            yield return new object[] { "upper-case keys and colon delimiter", "[x]\nPATTERN: ^carbon\nRetentions : 10s:1d\n", "[s]\nPattern=count\nXFILESFACTOR=0.0\nAggregationMethod=sum\n" };
            yield return new object[] { "duplicate section stops carbon", "[x]\npattern = a\nretentions = 10s:1d\n[x]\npattern = b\nretentions = 1m:1d\n", agg };
            yield return new object[] { "duplicate option stops carbon", "[x]\npattern = a\npattern = b\nretentions = 10s:1d\n", agg };
            yield return new object[] { "regex search semantics", "[a]\npattern = count$\nretentions = 10s:1d\n[b]\npattern = (?i)^cpu\nretentions = 20s:1d\n[c]\npattern = \\bx\\b\nretentions = 30s:1d\n[d]\npattern = ^(?P<p>[a-z])\\.(?P=p)\nretentions = 40s:1d\n[e]\npattern = b{,1}c\nretentions = 50s:1d\n[f]\npattern = \\w+\\Z\nretentions = 1m:1d\n", agg };
            yield return new object[] { "tags matched on the normalized name", "[t]\npattern = ;a=1;b=2$\nretentions = 10s:1d\n[u]\npattern = ^cpu;host\nretentions = 20s:1d\n", "[t]\npattern = ^mem;host=a$\naggregationMethod = max\n" };
            yield return new object[] { "invalid regex stops carbon", "[x]\npattern = (\nretentions = 10s:1d\n", agg };
            yield return new object[] { "bad escape stops carbon", "[x]\npattern = \\q\nretentions = 10s:1d\n", agg };
            yield return new object[] { "global flag not at start stops carbon", "[x]\npattern = a(?i)b\nretentions = 10s:1d\n", agg };
            yield return new object[] { "no section header stops carbon", "pattern = x\n[x]\npattern = a\nretentions = 10s:1d\n", agg };
            yield return new object[] { "indented header is a continuation", "[x]\npattern = ^a\n  [y]\nretentions = 10s:1d\n", agg };
            yield return new object[] { "comment lines and blank lines", "# header\n; other\n[x]\n# pattern = ^nothing\npattern = ^a\n\nretentions = 10s:1d\n\n", agg };
            yield return new object[] { "single zero-step archive kept", "[z]\npattern = ^zz\nretentions = 0:10\n[o]\npattern = .\nretentions = 10s:1d\n", agg };
            yield return new object[] { "zero step beside others stops carbon", "[z]\npattern = .\nretentions = 0:10,10:10\n", agg };
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Carbon)]
        public void SharpEdgesDecideAsCarbonDoes()
        {
            using (var root = new TempDir())
            {
                var cases = new List<(string, string, IList<string>)>();
                int k = 0;
                foreach (var edge in SharpEdges())
                {
                    string dir = root.File("c" + k++);
                    Directory.CreateDirectory(dir);
                    File.WriteAllText(Path.Combine(dir, CarbonStorageConfiguration.SchemasFileName), (string)edge[1]);
                    if (edge[2] != null) File.WriteAllText(Path.Combine(dir, CarbonStorageConfiguration.AggregationFileName), (string)edge[2]);
                    cases.Add(((string)edge[0], dir, SampleNames));
                }
                var failures = new List<string>();
                int bad = Compare(cases, failures, out int refused, out int decisions);
                Console.WriteLine("Storage configuration sharp edges: " + cases.Count + " configurations (" + refused + " refused by carbon, and by us), " +
                                  decisions + " decisions compared, " + bad + " mismatches");
                Assert.True(failures.Count == 0, string.Join("\n", failures));
            }
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Carbon)]
        public void RandomConfigurationsDecideAsCarbonDoes()
        {
            int first = 5100, count = 150;
            string replay = Environment.GetEnvironmentVariable("WHISPERPS_CARBON_SEED");
            var seeds = string.IsNullOrEmpty(replay) ? Enumerable.Range(first, count).ToList() : new List<int> { int.Parse(replay, CultureInfo.InvariantCulture) };
            using (var root = new TempDir())
            {
                var cases = new List<(string, string, IList<string>)>();
                foreach (int seed in seeds)
                {
                    var rnd = new Random(seed);
                    string dir = root.File("s" + seed);
                    Directory.CreateDirectory(dir);
                    File.WriteAllText(Path.Combine(dir, CarbonStorageConfiguration.SchemasFileName), RandomSchemas(rnd));
                    if (rnd.Next(8) != 0) File.WriteAllText(Path.Combine(dir, CarbonStorageConfiguration.AggregationFileName), RandomAggregation(rnd));
                    cases.Add(("seed " + seed + " (replay: WHISPERPS_CARBON_SEED=" + seed + ")", dir, Enumerable.Range(0, 100).Select(_ => RandomMetric(rnd)).ToList()));
                }
                var failures = new List<string>();
                int bad = Compare(cases, failures, out int refused, out int decisions);
                Console.WriteLine("Storage configuration: " + decisions + " decisions compared with carbon over " + cases.Count + " random configurations (" +
                                  refused + " refused by carbon, and by us), " + bad + " mismatches");
                Assert.True(failures.Count == 0, string.Join("\n", failures));
            }
        }

        private static readonly string[] PatternAtoms =
        {
            "^carbon\\.", "^stats", "\\.count$", "sum$", "cpu", "^a", "b", "\\.", "[0-9]+", "\\d", "\\w+", "(a|b)", "x?", ".*", "^", "$",
            "(?:c|d)\\.", "[^.]+", "\\bmem", "host=a", ";", "~", "{", "e{,2}", "f{2}", "[a-c]", "\\W", "\\s", "_", "A", "\u00e9",
        };

        private static string RandomPattern(Random rnd)
        {
            var sb = new StringBuilder();
            if (rnd.Next(10) == 0) sb.Append("(?i)");
            for (int k = rnd.Next(1, 4); k > 0; k--) sb.Append(PatternAtoms[rnd.Next(PatternAtoms.Length)]);
            return sb.ToString();
        }

        private static readonly string[] Retentions =
        {
            "10s:1d", "60:1440", "1m:7d", "5m:30d", "1h:1y", "10s:6h,1m:7d,10m:5y", "1m:1d,1h:30d", "60s:1d,90s:2d", "7s:1m", "1d:5y",
            "10:60,60:60", "15s:7d,1m:21d,15m:5y", "1m:1d,1m:2d", "1w:10y", "1s:1h", "30s:1d,5m:1d",
        };

        private static string RandomSchemas(Random rnd)
        {
            var sb = new StringBuilder();
            if (rnd.Next(6) == 0) sb.Append("# storage schemas\n");
            if (rnd.Next(8) == 0) sb.Append("[DEFAULT]\nretentions = ").Append(Retentions[rnd.Next(Retentions.Length)]).Append('\n');
            for (int s = rnd.Next(1, 7); s > 0; s--)
            {
                sb.Append('[').Append(rnd.Next(5) == 0 ? "default" : "s" + s).Append("]\n");
                int shape = rnd.Next(12);
                if (shape != 0) sb.Append(rnd.Next(4) == 0 ? "Pattern: " : "pattern = ").Append(RandomPattern(rnd)).Append(shape == 1 ? " # note" : "").Append('\n');
                if (shape != 2) sb.Append("retentions = ").Append(Retentions[rnd.Next(Retentions.Length)]).Append('\n');
                if (rnd.Next(6) == 0) sb.Append('\n');
            }
            return sb.ToString();
        }

        private static readonly string[] Xffs = { "0", "0.5", "0.0", "1", "0.3", "0.501", "1e-1", "0_5", " .25 ", "half", "", "0.1 # c" };
        private static readonly string[] Methods = { "average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin" };

        private static string RandomAggregation(Random rnd)
        {
            var sb = new StringBuilder();
            for (int s = rnd.Next(1, 6); s > 0; s--)
            {
                sb.Append("[a").Append(s).Append("]\n");
                int shape = rnd.Next(10);
                if (shape != 0) sb.Append("pattern = ").Append(RandomPattern(rnd)).Append('\n');
                if (shape != 1 && rnd.Next(5) != 0) sb.Append("xFilesFactor = ").Append(rnd.Next(12) == 0 ? Xffs[rnd.Next(Xffs.Length)] : Xffs[rnd.Next(6)]).Append('\n');
                if (shape != 2 && rnd.Next(5) != 0) sb.Append("aggregationMethod = ").Append(rnd.Next(40) == 0 ? "median" : Methods[rnd.Next(Methods.Length)]).Append('\n');
            }
            return sb.ToString();
        }

        private static readonly string[] NameParts = { "carbon", "stats", "cpu", "mem", "a", "b", "c", "d", "x", "count", "sum", "e", "ee", "f", "ff", "host=a", "1", "42", "A", "\u00e9", "_" };

        internal static string RandomMetric(Random rnd)
        {
            if (rnd.Next(10) == 0) return MetricPathTests.RandomName(rnd);
            var sb = new StringBuilder();
            if (rnd.Next(20) == 0) sb.Append('~');
            for (int k = rnd.Next(1, 5); k > 0; k--)
            {
                sb.Append(NameParts[rnd.Next(NameParts.Length)].Replace("host=a", "h"));
                if (k > 1) sb.Append(rnd.Next(15) == 0 ? ".." : ".");
            }
            if (rnd.Next(6) == 0) sb.Append(";host=a");
            if (rnd.Next(10) == 0) sb.Append(";b=2;a=1");
            return sb.ToString();
        }
    }
}
