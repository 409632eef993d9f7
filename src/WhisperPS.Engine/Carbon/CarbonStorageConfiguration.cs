using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>A storage configuration carbon-cache 1.1.7 would refuse to start with (it logs the error and
    /// exits), or a pattern construct that cannot be translated faithfully.</summary>
    public sealed class CarbonConfigurationException : InvalidConfigurationException
    {
        public CarbonConfigurationException(string message, string fileName) : base(message)
        {
            FileName = fileName;
        }

        /// <summary>The configuration file at fault, when known.</summary>
        public string FileName { get; }
    }

    /// <summary>One storage-schemas.conf section carbon kept, or its built-in fallback (60:10080).</summary>
    public sealed class StorageSchemaRule
    {
        internal StorageSchemaRule(string name, string pattern, Regex regex, IReadOnlyList<ArchiveSpec> archives)
        {
            Name = name;
            Pattern = pattern;
            Regex = regex;
            Archives = archives;
        }

        /// <summary>The section name; null for carbon's built-in fallback.</summary>
        public string Name { get; }
        public string Pattern { get; }
        internal Regex Regex { get; }
        /// <summary>The archives in the order the section lists them (whisper sorts them when it creates).</summary>
        public IReadOnlyList<ArchiveSpec> Archives { get; }
        public bool IsFallback => Regex == null;
        public bool Matches(string normalizedMetric) => Regex == null || Regex.IsMatch(normalizedMetric);
    }

    /// <summary>One storage-aggregation.conf section carbon kept, or its built-in fallback (whisper's defaults).</summary>
    public sealed class AggregationRule
    {
        internal AggregationRule(string name, string pattern, Regex regex, double? xFilesFactor, string method)
        {
            Name = name;
            Pattern = pattern;
            Regex = regex;
            XFilesFactor = xFilesFactor;
            AggregationMethod = method;
        }

        /// <summary>The section name; null for carbon's built-in fallback.</summary>
        public string Name { get; }
        public string Pattern { get; }
        internal Regex Regex { get; }
        /// <summary>null when the section has no xFilesFactor: whisper's 0.5 applies, nothing falls through.</summary>
        public double? XFilesFactor { get; }
        /// <summary>whisper's name; null when the section has none: average applies, nothing falls through.</summary>
        public string AggregationMethod { get; }
        public bool IsFallback => Regex == null;
        public bool Matches(string normalizedMetric) => Regex == null || Regex.IsMatch(normalizedMetric);
    }

    /// <summary>What carbon-cache creates for one metric.</summary>
    public sealed class CarbonStorageDecision
    {
        internal CarbonStorageDecision(string metric, string normalized, string relativePath, StorageSchemaRule schema,
            AggregationRule aggregation, IReadOnlyList<ArchiveSpec> archives)
        {
            Metric = metric;
            NormalizedMetric = normalized;
            RelativePath = relativePath;
            Schema = schema;
            AggregationRule = aggregation;
            Archives = archives;
            XFilesFactor = aggregation.XFilesFactor ?? 0.5;
            AggregationMethod = Aggregation.Parse(aggregation.AggregationMethod ?? "average");
        }

        public string Metric { get; }
        /// <summary>The name carbon stores and matches the patterns against (tags sorted, leading '~' dropped).</summary>
        public string NormalizedMetric { get; }
        public string RelativePath { get; }
        public StorageSchemaRule Schema { get; }
        public AggregationRule AggregationRule { get; }
        /// <summary>The archives as the file holds them: sorted finest first.</summary>
        public IReadOnlyList<ArchiveSpec> Archives { get; }
        public AggregationMethod AggregationMethod { get; }
        /// <summary>As configured (a double); the file stores it as a 32-bit float.</summary>
        public double XFilesFactor { get; }
    }

    /// <summary>
    /// storage-schemas.conf and storage-aggregation.conf read exactly as carbon-cache 1.1.7 reads them, and the
    /// decision it takes for a new metric: the first section (in file order) whose pattern is found anywhere in
    /// the normalized name (Python re.search), else carbon's fallback.
    /// </summary>
    /// <remarks>
    /// Carbon's rules, each a sharp edge: sections without 'retentions' or without a non-empty 'pattern' are
    /// skipped (so a [default] section without a pattern never applies); a schema whose archives whisper
    /// refuses is skipped, an unparsable retention stops carbon; an aggregation section with an unparsable
    /// xFilesFactor is skipped, one out of 0..1 or with an unknown method stops carbon; an aggregation section
    /// lacking a key still wins the match (the key takes whisper's default, nothing falls through to later
    /// sections); a missing storage-aggregation.conf means whisper's defaults, a missing storage-schemas.conf
    /// stops carbon; a section header line with a trailing comment is never used; values keep inline comments
    /// and quotes.
    /// </remarks>
    public sealed class CarbonStorageConfiguration
    {
        public const string SchemasFileName = "storage-schemas.conf";
        public const string AggregationFileName = "storage-aggregation.conf";

        private static readonly HashSet<string> WhisperMethods = new HashSet<string>(StringComparer.Ordinal)
            { "average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin" };

        private static readonly Regex UnitValue = new Regex(@"^(\d+)([a-z]+)$", RegexOptions.CultureInvariant);

        private readonly List<StorageSchemaRule> _schemas = new List<StorageSchemaRule>();
        private readonly List<AggregationRule> _aggregations = new List<AggregationRule>();
        private readonly List<string> _notes = new List<string>();

        /// <summary>Schema rules in match order, carbon's fallback last.</summary>
        public IReadOnlyList<StorageSchemaRule> Schemas => _schemas;

        /// <summary>Aggregation rules in match order, carbon's fallback last.</summary>
        public IReadOnlyList<AggregationRule> Aggregations => _aggregations;

        /// <summary>What carbon logs while loading: sections it skips and why.</summary>
        public IReadOnlyList<string> Notes => _notes;

        public string SchemasPath { get; private set; }
        public string AggregationPath { get; private set; }

        /// <summary>Loads both files from carbon's CONF_DIR.</summary>
        public static CarbonStorageConfiguration Load(string configDirectory)
        {
            if (configDirectory == null) throw new ArgumentNullException(nameof(configDirectory));
            return Load(Path.Combine(configDirectory, SchemasFileName), Path.Combine(configDirectory, AggregationFileName));
        }

        public static CarbonStorageConfiguration Load(string schemasPath, string aggregationPath)
        {
            var c = new CarbonStorageConfiguration { SchemasPath = schemasPath, AggregationPath = aggregationPath };
            if (!File.Exists(schemasPath))
                throw new CarbonConfigurationException("Error: Missing config file or wrong perms on " + schemasPath +
                                                       "; carbon-cache would not start without it.", schemasPath);
            c.LoadSchemas(ReadIni(schemasPath));
            if (aggregationPath != null && File.Exists(aggregationPath)) c.LoadAggregations(ReadIni(aggregationPath));
            else c._notes.Add((aggregationPath ?? AggregationFileName) + " not found: every metric gets xFilesFactor 0.5 and average.");
            c._aggregations.Add(new AggregationRule(null, null, null, null, null));
            return c;
        }

        private static CarbonIniFile ReadIni(string path)
        {
            try
            {
                return CarbonIniFile.Read(path);
            }
            catch (DecoderFallbackException ex)
            {
                throw new CarbonConfigurationException(path + ": not valid UTF-8 (" + ex.Message + "); carbon-cache would not start with this file.", path);
            }
        }

        private void LoadSchemas(CarbonIniFile ini)
        {
            foreach (string section in ini.OrderedSections)
            {
                var options = ini.Items(section);
                options.TryGetValue("pattern", out string pattern);
                if (!options.TryGetValue("retentions", out string retentions))
                {
                    _notes.Add("Schema " + section + " missing 'retentions', skipping");
                    continue;
                }
                var archives = new List<ArchiveSpec>();
                foreach (string def in retentions.Split(','))
                {
                    try
                    {
                        archives.Add(ParseRetentionDef(def));
                    }
                    catch (FormatException ex)
                    {
                        throw new CarbonConfigurationException(ex.Message + " in section [" + section + "] in " + ini.FileName +
                                                               "; carbon-cache would not start with this file.", ini.FileName);
                    }
                }
                if (string.IsNullOrEmpty(pattern))
                {
                    _notes.Add("Schema " + section + " missing 'pattern', skipping");
                    continue;
                }
                var regex = CompilePattern(pattern, section, ini.FileName);
                string invalid = WhisperArchiveListProblem(archives, section, ini.FileName);
                if (invalid != null)
                {
                    _notes.Add("Invalid schemas found in " + section + ": " + invalid);
                    continue;
                }
                _schemas.Add(new StorageSchemaRule(section, pattern, regex, archives.AsReadOnly()));
            }
            _schemas.Add(new StorageSchemaRule(null, null, null, new[] { new ArchiveSpec(60, 60 * 24 * 7) }));
        }

        private void LoadAggregations(CarbonIniFile ini)
        {
            foreach (string section in ini.OrderedSections)
            {
                var options = ini.Items(section);
                options.TryGetValue("pattern", out string pattern);
                options.TryGetValue("xfilesfactor", out string xffText);
                options.TryGetValue("aggregationmethod", out string method);
                double? xff = null;
                if (xffText != null)
                {
                    if (!PythonText.TryParseFloat(xffText, out double x))
                    {
                        _notes.Add("Invalid schemas found in " + section + ".");
                        continue;
                    }
                    if (!(x >= 0 && x <= 1))
                        throw new CarbonConfigurationException(ini.FileName + ": xFilesFactor '" + xffText + "' in section [" + section +
                            "] is not between 0 and 1; carbon-cache would not start with this file.", ini.FileName);
                    xff = x;
                }
                if (method != null && !WhisperMethods.Contains(method))
                    throw new CarbonConfigurationException(ini.FileName + ": aggregationMethod '" + method + "' in section [" + section +
                        "] is not one of whisper's (" + string.Join(", ", WhisperMethods) + "); carbon-cache would not start with this file.", ini.FileName);
                if (string.IsNullOrEmpty(pattern))
                {
                    _notes.Add("Section missing 'pattern': " + section);
                    continue;
                }
                _aggregations.Add(new AggregationRule(section, pattern, CompilePattern(pattern, section, ini.FileName), xff, method));
            }
        }

        private static Regex CompilePattern(string pattern, string section, string file)
        {
            try
            {
                return PythonRegex.Compile(pattern);
            }
            catch (CarbonConfigurationException ex)
            {
                throw new CarbonConfigurationException(file + ": section [" + section + "]: " + ex.Message +
                                                       "; carbon-cache would not start with this file (or WhisperPS cannot follow it).", file);
            }
        }

        /// <summary>carbon's parseRetentionDef: precision and points as digits or digits plus one of s m h d w y;
        /// points given as a duration are duration / precision, truncated. FormatException where carbon stops.</summary>
        internal static ArchiveSpec ParseRetentionDef(string definition)
        {
            var parts = PythonText.Strip(definition).Split(':');
            if (parts.Length != 2)
                throw new FormatException("Invalid retention definition '" + definition + "' (expected precision:points)");
            long precision = Amount(parts[0], "precision", 1);
            double points;
            if (PythonText.TryParseDecimalDigits(parts[1], out long p)) points = p;
            else
            {
                long seconds = Amount(parts[1], "retention", 0);
                if (precision == 0) throw new FormatException("division by zero in retention definition '" + definition + "'");
                points = (double)seconds / precision;
            }
            return new ArchiveSpec(precision, (long)points);
        }

        private static long Amount(string text, string what, int plainMultiplier)
        {
            if (PythonText.TryParseDecimalDigits(text, out long n) && plainMultiplier == 1) return n;
            var m = UnitValue.Match(text);
            if (!m.Success || !PythonText.TryParseDecimalDigits(m.Groups[1].Value, out long count))
                throw new FormatException("Invalid " + what + " specification '" + text + "'");
            long unit;
            switch (m.Groups[2].Value)
            {
                case "s": unit = 1; break;
                case "m": unit = 60; break;
                case "h": unit = 3600; break;
                case "d": unit = 86400; break;
                case "w": unit = 86400 * 7; break;
                case "y": unit = 86400 * 365; break;
                default: throw new FormatException("Invalid unit '" + m.Groups[2].Value + "'");
            }
            return count * unit;
        }

        // whisper.validateArchiveList as carbon calls it: a message where whisper raises InvalidConfiguration
        // (carbon skips the section); a step of 0 beside another archive divides by zero and stops carbon.
        private static string WhisperArchiveListProblem(List<ArchiveSpec> archives, string section, string file)
        {
            var list = new List<ArchiveSpec>(archives);
            // Python's sort is stable: equal steps keep their order
            var indexed = new List<KeyValuePair<int, ArchiveSpec>>();
            for (int i = 0; i < list.Count; i++) indexed.Add(new KeyValuePair<int, ArchiveSpec>(i, list[i]));
            indexed.Sort((a, b) => a.Value.SecondsPerPoint != b.Value.SecondsPerPoint ? a.Value.SecondsPerPoint.CompareTo(b.Value.SecondsPerPoint) : a.Key.CompareTo(b.Key));
            for (int i = 0; i + 1 < indexed.Count; i++)
            {
                var a = indexed[i].Value;
                var next = indexed[i + 1].Value;
                if (!(a.SecondsPerPoint < next.SecondsPerPoint)) return "two archives with the same precision";
                if (a.SecondsPerPoint == 0)
                    throw new CarbonConfigurationException(file + ": section [" + section + "]: a step of 0 beside other archives makes whisper divide by zero; carbon-cache would not start with this file.", file);
                if (next.SecondsPerPoint % a.SecondsPerPoint != 0) return "precisions do not divide evenly";
                if (!(next.Retention > a.Retention)) return "lower precision archives must cover larger time intervals";
                if (!(a.Points >= next.SecondsPerPoint / a.SecondsPerPoint)) return "not enough points to consolidate to the next archive";
            }
            return null;
        }

        /// <summary>What carbon creates for <paramref name="metric"/> (the name as sent).</summary>
        public CarbonStorageDecision Resolve(string metric, bool hashTaggedNames = true)
        {
            if (metric == null) throw new ArgumentNullException(nameof(metric));
            string normalized = MetricPath.Normalize(metric);
            StorageSchemaRule schema = null;
            foreach (var s in _schemas)
                if (s.Matches(normalized)) { schema = s; break; }
            AggregationRule agg = null;
            foreach (var a in _aggregations)
                if (a.Matches(normalized)) { agg = a; break; }
            var sorted = new List<ArchiveSpec>(schema.Archives);
            StableSort(sorted);
            return new CarbonStorageDecision(metric, normalized, MetricPath.ToRelativePath(metric, hashTaggedNames), schema, agg, sorted.AsReadOnly());
        }

        private static void StableSort(List<ArchiveSpec> list)
        {
            for (int i = 1; i < list.Count; i++)
            {
                var x = list[i];
                int j = i - 1;
                while (j >= 0 && list[j].SecondsPerPoint > x.SecondsPerPoint) { list[j + 1] = list[j]; j--; }
                list[j + 1] = x;
            }
        }
    }
}
