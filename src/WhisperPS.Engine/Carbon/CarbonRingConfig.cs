using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>Which configuration file a ring was read from.</summary>
    public enum CarbonConfigKind
    {
        /// <summary>carbon.conf, its [relay] section (carbon-relay's ConsistentHashingRouter).</summary>
        CarbonConf,

        /// <summary>A carbon-c-relay configuration, one of its <c>cluster</c> blocks.</summary>
        CarbonCRelay,

        /// <summary>carbonate.conf, one of its cluster sections.</summary>
        Carbonate,
    }

    /// <summary>A ring as a relay or tool is configured: nodes, hash, replication, and what in the file deserves a warning.</summary>
    public sealed class CarbonRingConfig
    {
        public CarbonRingConfig(IEnumerable<CarbonDestination> destinations, CarbonHashType hashType, int replicationFactor,
            bool diverseReplicas, CarbonImplementation implementation)
        {
            Destinations = destinations.ToArray();
            HashType = hashType;
            ReplicationFactor = replicationFactor;
            DiverseReplicas = diverseReplicas;
            Implementation = implementation;
        }

        public IReadOnlyList<CarbonDestination> Destinations { get; }

        public CarbonHashType HashType { get; }

        public int ReplicationFactor { get; }

        public bool DiverseReplicas { get; }

        public CarbonImplementation Implementation { get; }

        public CarbonConfigKind? Source { get; private set; }

        public string Path { get; private set; }

        /// <summary>Things in the file that change placement in a way an admin may not expect.</summary>
        public List<string> Warnings { get; } = new List<string>();

        /// <summary>
        /// Reads a ring from a file, recognising its kind: a carbon-c-relay config has <c>cluster</c> blocks; an INI
        /// file with a [relay] section is carbon.conf; otherwise carbonate.conf. <paramref name="section"/> names the
        /// carbon-c-relay cluster, the carbonate cluster (default 'main') or carbon's relay instance.
        /// </summary>
        public static CarbonRingConfig Read(string path, string section)
        {
            string text = File.ReadAllText(path);
            CarbonRingConfig result;
            if (Regex.IsMatch(text, @"(?m)^\s*cluster\s+\S+"))
            {
                result = ParseCRelay(text, section);
                result.Source = CarbonConfigKind.CarbonCRelay;
            }
            else
            {
                var ini = IniFile.Parse(text);
                if (ini.HasSection("relay"))
                {
                    result = ParseCarbonConf(ini, section);
                    result.Source = CarbonConfigKind.CarbonConf;
                }
                else
                {
                    result = ParseCarbonate(ini, section ?? "main");
                    result.Source = CarbonConfigKind.Carbonate;
                }
            }
            result.Path = path;
            return result;
        }

        private static CarbonRingConfig ParseCarbonConf(IniFile ini, string instance)
        {
            // carbon-relay reads [relay], then [relay:<instance>] over it.
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var kv in ini.Items("relay")) values[kv.Key] = kv.Value;
            if (!string.IsNullOrEmpty(instance))
            {
                if (!ini.HasSection("relay:" + instance)) throw new FormatException("carbon.conf has no [relay:" + instance + "] section.");
                foreach (var kv in ini.Items("relay:" + instance)) values[kv.Key] = kv.Value;
            }
            string method = Get(values, "RELAY_METHOD") ?? "rules";
            if (!method.Equals("consistent-hashing", StringComparison.OrdinalIgnoreCase) &&
                !method.Equals("aggregated-consistent-hashing", StringComparison.OrdinalIgnoreCase))
                throw new FormatException("RELAY_METHOD is '" + method + "': only consistent-hashing places metrics on a hash ring.");
            string hash = Get(values, "ROUTER_HASH_TYPE");
            var type = CarbonHashType.CarbonCh;
            if (!string.IsNullOrEmpty(hash) && (!CarbonHashTypeNames.TryParse(hash, out type) || type == CarbonHashType.JumpFnv1aCh))
                throw new FormatException("ROUTER_HASH_TYPE '" + hash + "' is not carbon_ch or fnv1a_ch.");
            var config = new CarbonRingConfig(
                ParseList(Get(values, "DESTINATIONS")).Select(CarbonDestination.Parse),
                type,
                ParseInt(Get(values, "REPLICATION_FACTOR"), "REPLICATION_FACTOR", 1),
                ParsePythonBool(Get(values, "DIVERSE_REPLICAS"), "DIVERSE_REPLICAS", true),
                CarbonImplementation.Carbon);
            if (method.StartsWith("aggregated", StringComparison.OrdinalIgnoreCase))
                config.Warnings.Add("RELAY_METHOD is aggregated-consistent-hashing: metrics matching aggregation rules are placed by their aggregate name, which this ring does not apply.");
            return config;
        }

        private static CarbonRingConfig ParseCarbonate(IniFile ini, string cluster)
        {
            if (!ini.HasSection(cluster))
                throw new FormatException("No [" + cluster + "] cluster section (and no [relay] section of a carbon.conf).");
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var kv in ini.Items(cluster)) values[kv.Key] = kv.Value;
            string hash = Get(values, "HASHING_TYPE");
            var type = CarbonHashType.CarbonCh;
            if (!string.IsNullOrEmpty(hash) && (!CarbonHashTypeNames.TryParse(hash, out type) || type == CarbonHashType.JumpFnv1aCh))
                throw new FormatException("HASHING_TYPE '" + hash + "' is not carbon_ch or fnv1a_ch.");
            string diverseText = Get(values, "DIVERSE_REPLICAS");
            bool diverse = ParsePythonBool(diverseText, "DIVERSE_REPLICAS", true);
            // carbonate passes the option's text to carbon's router; every non-empty string is true in Python.
            var config = new CarbonRingConfig(
                (Get(values, "DESTINATIONS") ?? "").Replace(" ", "").Split(',').Where(s => s.Length > 0).Select(CarbonDestination.Parse),
                type,
                ParseInt(Get(values, "REPLICATION_FACTOR"), "REPLICATION_FACTOR", 1),
                diverse,
                CarbonImplementation.Carbon);
            if (!diverse)
                config.Warnings.Add("DIVERSE_REPLICAS = " + diverseText.Trim() + " in carbonate.conf: carbonate itself reads this as the non-empty string '" +
                    diverseText.Trim() + "', which Python treats as true, so carbonate's tools place replicas as if DIVERSE_REPLICAS were True. This ring uses False, as written.");
            return config;
        }

        private static CarbonRingConfig ParseCRelay(string text, string clusterName)
        {
            // Tokens outside comments; a ';' ends a statement even when attached to a word.
            var tokens = new List<string>();
            foreach (string rawLine in text.Split('\n'))
            {
                string line = rawLine;
                int hashMark = line.IndexOf('#');
                if (hashMark >= 0) line = line.Substring(0, hashMark);
                foreach (string word in line.Split(new[] { ' ', '\t', '\r' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    string w = word;
                    while (w.EndsWith(";", StringComparison.Ordinal) && w.Length > 1)
                    {
                        tokens.Add(w.Substring(0, w.Length - 1).TrimEnd(';'));
                        w = ";";
                    }
                    tokens.Add(w);
                }
            }
            var found = new List<string>();
            for (int i = 0; i < tokens.Count; i++)
            {
                if (tokens[i] != "cluster" || i + 2 >= tokens.Count) continue;
                string name = tokens[i + 1];
                string kind = tokens[i + 2];
                int end = tokens.IndexOf(";", i);
                if (end < 0) end = tokens.Count;
                if (!CarbonHashTypeNames.TryParse(kind, out var type))
                {
                    if (clusterName != null && name == clusterName)
                        throw new FormatException("carbon-c-relay cluster '" + name + "' is of type '" + kind + "', not a consistent-hash cluster.");
                    i = end;
                    continue;
                }
                found.Add(name);
                if (clusterName != null && name != clusterName) { i = end; continue; }
                int replication = 1;
                var servers = new List<CarbonDestination>();
                for (int k = i + 3; k < end; k++)
                {
                    string t = tokens[k];
                    if (t == "replication") { replication = ParseInt(tokens[++k], "replication", 1); continue; }
                    if (t == "dynamic") continue;
                    if (t == "proto" || t == "type") { k++; continue; }
                    if (t == "transport")
                    {
                        k++;
                        if (k + 1 < end && tokens[k + 1] == "ssl") k++;
                        else if (k + 1 < end && tokens[k + 1] == "mtls") k += 3;
                        continue;
                    }
                    servers.Add(ParseCRelayServer(t));
                }
                var config = new CarbonRingConfig(servers, type, replication, false, CarbonImplementation.CarbonCRelay);
                if (clusterName == null)
                {
                    // Only one hash cluster may be chosen implicitly.
                    for (int j = end + 1; j < tokens.Count - 2; j++)
                        if (tokens[j] == "cluster" && CarbonHashTypeNames.TryParse(tokens[j + 2], out _))
                            throw new FormatException("The carbon-c-relay config has several hash clusters ('" + name + "', '" + tokens[j + 1] + "', ...); name one.");
                }
                return config;
            }
            throw new FormatException(clusterName == null
                ? "The carbon-c-relay config has no carbon_ch, fnv1a_ch or jump_fnv1a_ch cluster."
                : "The carbon-c-relay config has no hash cluster '" + clusterName + "'" + (found.Count > 0 ? " (it has: " + string.Join(", ", found) + ")." : "."));
        }

        /// <summary>carbon-c-relay's server syntax: host[:port][=instance], IPv6 hosts bracketed; port 2003 by default.</summary>
        internal static CarbonDestination ParseCRelayServer(string token)
        {
            string instance = null;
            int eq = token.IndexOf('=');
            if (eq >= 0)
            {
                instance = token.Substring(eq + 1);
                token = token.Substring(0, eq);
            }
            string host = token, port = null;
            if (token.StartsWith("[", StringComparison.Ordinal))
            {
                int close = token.IndexOf(']');
                if (close < 0) throw new FormatException("Server '" + token + "' has an unclosed '['.");
                host = token.Substring(1, close - 1);
                if (close + 1 < token.Length && token[close + 1] == ':') port = token.Substring(close + 2);
            }
            else
            {
                int colon = token.LastIndexOf(':');
                if (colon >= 0 && token.IndexOf(':') == colon)
                {
                    host = token.Substring(0, colon);
                    port = token.Substring(colon + 1);
                }
            }
            int p = port == null ? 2003 : ParseInt(port, "port of '" + token + "'", 2003);
            return new CarbonDestination(host, p, instance);
        }

        private static string Get(Dictionary<string, string> values, string key) => values.TryGetValue(key, out var v) ? v : null;

        private static IEnumerable<string> ParseList(string value)
        {
            if (value == null) return Enumerable.Empty<string>();
            return value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0);
        }

        private static int ParseInt(string value, string name, int fallback)
        {
            if (value == null) return fallback;
            if (!int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
                throw new FormatException(name + " '" + value + "' is not a whole number.");
            return n;
        }

        /// <summary>Python ConfigParser.getboolean: 1/yes/true/on and 0/no/false/off, any case.</summary>
        private static bool ParsePythonBool(string value, string name, bool fallback)
        {
            if (value == null) return fallback;
            switch (value.Trim().ToLowerInvariant())
            {
                case "1": case "yes": case "true": case "on": return true;
                case "0": case "no": case "false": case "off": return false;
                default: throw new FormatException(name + " '" + value + "' is not a boolean (true/false, yes/no, on/off, 1/0).");
            }
        }
    }

    /// <summary>The part of Python's ConfigParser carbon and carbonate rely on: sections, key = value or key: value,
    /// # and ; comments, indented continuation lines, keys in any case, and [DEFAULT] under every section.</summary>
    internal sealed class IniFile
    {
        private readonly Dictionary<string, List<KeyValuePair<string, string>>> _sections =
            new Dictionary<string, List<KeyValuePair<string, string>>>(StringComparer.Ordinal);

        internal static IniFile Parse(string text)
        {
            var ini = new IniFile();
            List<KeyValuePair<string, string>> current = null;
            int lastIndex = -1;
            foreach (string raw in text.Replace("\r\n", "\n").Split('\n'))
            {
                string trimmed = raw.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == ';') { lastIndex = -1; continue; }
                if (char.IsWhiteSpace(raw[0]) && current != null && lastIndex >= 0)
                {
                    var kv = current[lastIndex];
                    current[lastIndex] = new KeyValuePair<string, string>(kv.Key, kv.Value + "\n" + trimmed);
                    continue;
                }
                if (trimmed[0] == '[' && trimmed.EndsWith("]", StringComparison.Ordinal))
                {
                    string name = trimmed.Substring(1, trimmed.Length - 2);
                    if (!ini._sections.TryGetValue(name, out current))
                        ini._sections[name] = current = new List<KeyValuePair<string, string>>();
                    lastIndex = -1;
                    continue;
                }
                int sep = trimmed.IndexOfAny(new[] { '=', ':' });
                if (sep <= 0 || current == null) throw new FormatException("Cannot read line '" + trimmed + "' (not key = value inside a [section]).");
                string key = trimmed.Substring(0, sep).Trim().ToLowerInvariant();
                string value = trimmed.Substring(sep + 1).Trim();
                int existing = current.FindIndex(e => e.Key == key);
                if (existing >= 0) current.RemoveAt(existing);
                current.Add(new KeyValuePair<string, string>(key, value));
                lastIndex = current.Count - 1;
            }
            return ini;
        }

        internal bool HasSection(string name) => _sections.ContainsKey(name);

        internal IEnumerable<KeyValuePair<string, string>> Items(string section)
        {
            var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (_sections.TryGetValue("DEFAULT", out var defaults))
                foreach (var kv in defaults) merged[kv.Key] = kv.Value;
            foreach (var kv in _sections[section]) merged[kv.Key] = kv.Value;
            return merged;
        }
    }
}
