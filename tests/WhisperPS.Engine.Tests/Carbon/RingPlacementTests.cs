using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using WhisperPS.Engine.Carbon;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace WhisperPS.Engine.Tests.Carbon
{
    /// <summary>
    /// Placement against the real routers in the same run: carbon 1.1.7's ConsistentHashingRouter (imported from
    /// Debian graphite-carbon) for -Implementation Carbon, carbon-c-relay 3.7.3 -t for CarbonCRelay, on thousands
    /// of random names x several rings (one with vnode collisions) x RF 1-3 x DIVERSE on/off.
    /// </summary>
    [Collection(PythonCollection.Name)]
    public sealed class RingPlacementTests
    {
        private readonly ITestOutputHelper _out;

        public RingPlacementTests(ITestOutputHelper output)
        {
            _out = output;
        }

        /// <summary>Rings in carbon's DESTINATIONS syntax. Every ip:port is unique so carbon-c-relay's output maps back.</summary>
        internal static readonly Dictionary<string, string[]> Rings = new Dictionary<string, string[]>
        {
            ["one host, instances"] = new[] { "127.0.0.1:2104:a", "127.0.0.1:2204:b", "127.0.0.1:2304:c" },
            ["four servers, no instances"] = new[] { "10.0.0.1:2004", "10.0.0.2:2004", "10.0.0.3:2004", "10.0.0.4:2004" },
            ["two hosts x two instances + one"] = new[] { "10.0.0.1:2004:a", "10.0.0.1:2104:b", "10.0.0.2:2004:a", "10.0.0.2:2104:b", "10.0.0.3:2004" },
            ["numbered instances"] = new[] { "10.0.0.5:2004:10", "10.0.0.6:2004:9", "10.0.0.7:2004", "10.0.0.8:2004:2", "graphite-b.example:2004:x" },
            ["twelve servers (vnode collisions)"] = Enumerable.Range(1, 12).Select(i => "192.168.1." + i + ":2004:c" + i).ToArray(),
        };

        internal const string CollisionRing = "twelve servers (vnode collisions)";

        /// <summary>Random metric names: plain, tagged, doubled dots, quotes and backslashes, and UTF-8.</summary>
        internal static List<string> RandomNames(int seed, int count)
        {
            var rng = new Random(seed);
            const string plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
            string[] odd = { "é", "ü", "日本", "ß", "'", "\"", "\\", ":", "=", "#", "%", "Ω" };
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (names.Count < count)
            {
                var sb = new StringBuilder();
                int segments = rng.Next(1, 7);
                for (int s = 0; s < segments; s++)
                {
                    if (s > 0) sb.Append(rng.Next(40) == 0 ? ".." : ".");
                    int len = rng.Next(1, 14);
                    for (int k = 0; k < len; k++)
                        sb.Append(rng.Next(25) == 0 ? odd[rng.Next(odd.Length)] : plain[rng.Next(plain.Length)].ToString());
                }
                if (rng.Next(12) == 0) sb.Append(";env=prod;dc=").Append(rng.Next(9));
                names.Add(sb.ToString());
            }
            return names.ToList();
        }

        private static string Key(CarbonDestination d) => d.Server + ":" + d.Port + ":" + (d.Instance ?? "None");

        [Fact]
        [Trait(Needs.Trait, Needs.Carbon)]
        public void Carbon_matches_carbons_own_router()
        {
            const int seed = 1401, count = 3000;
            var names = RandomNames(seed, count);
            var cases = new List<CarbonReference.Case>();
            foreach (var ring in Rings.Values)
                foreach (string hash in new[] { "carbon_ch", "fnv1a_ch" })
                    for (int rf = 1; rf <= 3; rf++)
                        foreach (bool diverse in new[] { false, true })
                            cases.Add(new CarbonReference.Case { Dests = ring, Hash = hash, Rf = rf, Diverse = diverse });
            var expected = CarbonReference.PythonPlacements(cases, names);

            long compared = 0, mismatches = 0, crossMismatches = 0;
            var report = new StringBuilder();
            for (int c = 0; c < cases.Count; c++)
            {
                var cs = cases[c];
                CarbonHashTypeNames.TryParse(cs.Hash, out var type);
                var nodes = cs.Dests.Select(CarbonDestination.Parse).ToList();
                var ring = CarbonRing.Create(nodes, type, CarbonImplementation.Carbon);
                var other = CarbonRing.Create(nodes, type, CarbonImplementation.CarbonCRelay);
                for (int i = 0; i < names.Count; i++)
                {
                    string want = string.Join(",", expected[c][i]);
                    string got = string.Join(",", ring.GetDestinations(names[i], cs.Rf, cs.Diverse).Select(Key));
                    compared++;
                    if (want != got)
                    {
                        if (mismatches++ < 10)
                            report.AppendLine("seed " + seed + ", case " + c + " (" + cs.Hash + ", rf " + cs.Rf + ", diverse " + cs.Diverse + ", " +
                                string.Join(" ", cs.Dests) + "), '" + names[i] + "': carbon " + want + ", ours " + got);
                    }
                    if (string.Join(",", other.GetDestinations(names[i], cs.Rf, cs.Diverse).Select(Key)) != want) crossMismatches++;
                }
            }
            _out.WriteLine("carbon 1.1.7 router vs -Implementation Carbon: " + compared + " placements (" + cases.Count + " cases x " +
                names.Count + " names), " + mismatches + " mismatches; the CarbonCRelay ring differs from carbon on " + crossMismatches);
            Assert.True(mismatches == 0, mismatches + " of " + compared + " placements differ from carbon's router:\n" + report);
            // The comparison can tell implementations apart: the carbon-c-relay rings differ (fnv1a keys, collisions).
            Assert.True(crossMismatches > 0, "the CarbonCRelay ring agreed with carbon everywhere: the test would not notice a wrong implementation");
        }

        [Fact]
        [Trait(Needs.Trait, Needs.CarbonCRelay)]
        public void CarbonCRelay_matches_carbon_c_relay_test_mode()
        {
            const int seed = 1402, count = 3000;
            var names = RandomNames(seed, count);
            using (var tmp = new TempDir())
            {
                long compared = 0, mismatches = 0, crossMismatches = 0;
                var report = new StringBuilder();
                foreach (var kv in Rings)
                    foreach (var type in new[] { CarbonHashType.CarbonCh, CarbonHashType.Fnv1aCh, CarbonHashType.JumpFnv1aCh })
                        for (int rf = 1; rf <= 3; rf++)
                        {
                            var nodes = kv.Value.Select(CarbonDestination.Parse).ToList();
                            string block = "cluster c\n    " + CarbonHashTypeNames.ToName(type) + " replication " + rf + "\n" +
                                string.Concat(nodes.Select(n => "        " + n.Server + ":" + n.Port + (n.Instance == null ? "" : "=" + n.Instance) + "\n")) + "    ;";
                            var expected = CarbonReference.CRelayPlacements(block, names, tmp.Path);
                            var ring = CarbonRing.Create(nodes, type, CarbonImplementation.CarbonCRelay);
                            CarbonRing carbon = type == CarbonHashType.JumpFnv1aCh ? null : CarbonRing.Create(nodes, type, CarbonImplementation.Carbon);
                            foreach (string name in names)
                            {
                                Assert.True(expected.TryGetValue(name, out var want), "carbon-c-relay printed no route for '" + name + "'");
                                string w = string.Join(",", want);
                                string got = string.Join(",", ring.GetDestinations(name, rf, false).Select(d => d.Server + ":" + d.Port));
                                compared++;
                                if (w != got && mismatches++ < 10)
                                    report.AppendLine("seed " + seed + ", " + kv.Key + ", " + CarbonHashTypeNames.ToName(type) + ", rf " + rf + ", '" + name + "': relay " + w + ", ours " + got);
                                if (carbon != null && string.Join(",", carbon.GetDestinations(name, rf, false).Select(d => d.Server + ":" + d.Port)) != w)
                                    crossMismatches++;
                            }
                        }
                _out.WriteLine("carbon-c-relay 3.7.3 -t vs -Implementation CarbonCRelay: " + compared + " placements, " + mismatches +
                    " mismatches; the Carbon ring differs from the relay on " + crossMismatches);
                Assert.True(mismatches == 0, mismatches + " of " + compared + " placements differ from carbon-c-relay:\n" + report);
                Assert.True(crossMismatches > 0, "the Carbon ring agreed with carbon-c-relay everywhere: the test would not notice a wrong implementation");
            }
        }

        [Fact]
        public void The_collision_ring_has_collisions_and_the_implementations_disagree_on_some_metrics()
        {
            var nodes = Rings[CollisionRing].Select(CarbonDestination.Parse).ToList();
            var names = RandomNames(1403, 20000);
            var rings = Enum.GetValues(typeof(CarbonImplementation)).Cast<CarbonImplementation>()
                .ToDictionary(i => i, i => CarbonRing.Create(nodes, CarbonHashType.CarbonCh, i));
            Assert.NotEmpty(rings[CarbonImplementation.Carbon].Collisions);
            int disagree = names.Count(n => rings.Values.Select(r => string.Join(",", r.GetDestinations(n, 2, false).Select(Key))).Distinct().Count() > 1);
            _out.WriteLine(rings[CarbonImplementation.Carbon].Collisions.Count + " vnode collisions; implementations disagree on " + disagree + " of " + names.Count + " metrics (RF 2)");
            Assert.InRange(disagree, 1, names.Count / 10);
        }

        [Fact]
        public void Hand_picked_rings_and_keys()
        {
            // carbon's fnv1a_ch keys virtual nodes by instance only: without instances every node has the same
            // positions and carbon bumps each later node one past the earlier one.
            var noInstance = new[] { "10.0.0.1:2004", "10.0.0.2:2004" }.Select(CarbonDestination.Parse).ToList();
            var fnv = CarbonRing.Create(noInstance, CarbonHashType.Fnv1aCh, CarbonImplementation.Carbon);
            Assert.Equal(2 * CarbonRing.VirtualNodes, fnv.Collisions.Sum(c => c.Nodes.Count));
            // The port is not part of the carbon_ch key: moving a node to another port moves no metric.
            var a = CarbonRing.Create(new[] { "h1:2004:a", "h2:2004:b" }.Select(CarbonDestination.Parse), CarbonHashType.CarbonCh, CarbonImplementation.Carbon);
            var b = CarbonRing.Create(new[] { "h1:9999:a", "h2:2104:b" }.Select(CarbonDestination.Parse), CarbonHashType.CarbonCh, CarbonImplementation.Carbon);
            foreach (string n in RandomNames(7, 200))
                Assert.Equal(a.GetDestinations(n, 2, false).Select(d => d.Server + d.Instance), b.GetDestinations(n, 2, false).Select(d => d.Server + d.Instance));
            // The name is hashed as given: a..b and a.b are one file but may be two positions.
            Assert.NotEqual(a.GetPosition("a..b"), a.GetPosition("a.b"));
            // Diverse replicas on one host: one copy however large the replication factor.
            var oneHost = CarbonRing.Create(Rings["one host, instances"].Select(CarbonDestination.Parse), CarbonHashType.CarbonCh, CarbonImplementation.Carbon);
            Assert.Single(oneHost.GetDestinations("x.y", 3, true));
            Assert.Equal(3, oneHost.GetDestinations("x.y", 3, false).Count);
            // A node configured twice is refused, as carbon's router refuses it.
            Assert.Throws<ArgumentException>(() => CarbonRing.Create(new[] { "h1:2004:a", "h1:2104:a" }.Select(CarbonDestination.Parse), CarbonHashType.CarbonCh, CarbonImplementation.Carbon));
            Assert.Equal("[::1]:2004:a", CarbonDestination.Parse("[::1]:2004:a").ToString());
            Assert.Equal("::1", CarbonDestination.Parse("[::1]:2004").Server);
        }
    }
}
