using System;
using System.IO;
using System.Linq;
using WhisperPS.Engine.Carbon;
using WhisperPS.Engine.Tests.Support;
using Xunit;

namespace WhisperPS.Engine.Tests.Carbon
{
    /// <summary>Rings read from carbon.conf (compared with carbon's own Settings reader), carbon-c-relay and carbonate.conf.</summary>
    [Collection(PythonCollection.Name)]
    public sealed class RingConfigTests
    {
        private readonly PythonWhisperFixture _py;

        public RingConfigTests(PythonWhisperFixture py)
        {
            _py = py;
        }

        [Theory]
        [Trait(Needs.Trait, Needs.Carbon)]
        [InlineData("DESTINATIONS = 10.0.0.1:2004:a, 10.0.0.2:2004:b,10.0.0.3:2104\nREPLICATION_FACTOR = 2\nDIVERSE_REPLICAS = off\nROUTER_HASH_TYPE = fnv1a_ch\n")]
        [InlineData("destinations = 127.0.0.1:2104:a, 127.0.0.1:2204:b\nreplication_factor: 3\n")]
        [InlineData("DESTINATIONS = [::1]:2004:a, h2:2004\nDIVERSE_REPLICAS = Yes\n")]
        public void Carbon_conf_reads_as_carbon_reads_it(string relaySection)
        {
            CarbonReference.EnsureInstalled();
            using (var tmp = new TempDir())
            {
                string path = Path.Combine(tmp.Path, "carbon.conf");
                File.WriteAllText(path, "[cache]\nLINE_RECEIVER_PORT = 2003\n\n[relay]\nRELAY_METHOD = consistent-hashing\n" + relaySection);
                string carbon = _py.RunCode(@"
import sys
sys.path.insert(0, '/usr/lib/python3/dist-packages')
from carbon.conf import Settings, defaults
from carbon.util import parseDestinations
s = Settings()
s.update(defaults)
s.readFrom(sys.argv[1] if len(sys.argv) > 1 else '" + path.Replace("\\", "/") + @"', 'relay')
d = ' '.join('%s|%d|%s' % x for x in parseDestinations(s.DESTINATIONS))
print(d, s.REPLICATION_FACTOR, s.DIVERSE_REPLICAS, s.ROUTER_HASH_TYPE or 'carbon_ch')
").Trim();
                var ours = CarbonRingConfig.Read(path, null);
                string mine = string.Join(" ", ours.Destinations.Select(d => d.Server + "|" + d.Port + "|" + (d.Instance ?? "None"))) + " " +
                    ours.ReplicationFactor + " " + (ours.DiverseReplicas ? "True" : "False") + " " + CarbonHashTypeNames.ToName(ours.HashType);
                Assert.Equal(carbon, mine);
                Assert.Equal(CarbonConfigKind.CarbonConf, ours.Source);
            }
        }

        [Fact]
        public void Carbonate_conf_False_is_false_here_and_the_warning_says_carbonate_reads_it_as_true()
        {
            using (var tmp = new TempDir())
            {
                string path = Path.Combine(tmp.Path, "carbonate.conf");
                File.WriteAllText(path, "[main]\nDESTINATIONS = 127.0.0.1:2104:a, 127.0.0.1:2204:b, 127.0.0.1:2304:c\nREPLICATION_FACTOR = 2\nDIVERSE_REPLICAS = False\nSSH_USER = carbon\n\n[other]\nDESTINATIONS = h:1:x\n");
                var c = CarbonRingConfig.Read(path, null);
                Assert.Equal(CarbonConfigKind.Carbonate, c.Source);
                Assert.False(c.DiverseReplicas);
                Assert.Equal(2, c.ReplicationFactor);
                Assert.Equal(3, c.Destinations.Count);
                Assert.Contains(c.Warnings, w => w.Contains("carbonate") && w.Contains("true"));
                Assert.Single(CarbonRingConfig.Read(path, "other").Destinations);
                Assert.Throws<FormatException>(() => CarbonRingConfig.Read(path, "missing"));
            }
        }

        [Fact]
        public void Carbon_c_relay_cluster_blocks()
        {
            using (var tmp = new TempDir())
            {
                string path = Path.Combine(tmp.Path, "relay.conf");
                File.WriteAllText(path, "# relay\ncluster fwd forward 10.0.0.9:2003;\ncluster store\n    fnv1a_ch replication 2 dynamic\n        10.0.0.1:2004=a proto tcp\n        10.0.0.2=b\n        [::1]:2104  # comment\n    ;\nmatch * send to store stop;\n");
                var c = CarbonRingConfig.Read(path, null);
                Assert.Equal(CarbonConfigKind.CarbonCRelay, c.Source);
                Assert.Equal(CarbonImplementation.CarbonCRelay, c.Implementation);
                Assert.Equal(CarbonHashType.Fnv1aCh, c.HashType);
                Assert.Equal(2, c.ReplicationFactor);
                Assert.Equal(new[] { "10.0.0.1:2004:a", "10.0.0.2:2003:b", "[::1]:2104" }, c.Destinations.Select(d => d.ToString()));
                Assert.Throws<FormatException>(() => CarbonRingConfig.Read(path, "fwd"));
                // carbon.conf with RELAY_METHOD = rules has no ring.
                File.WriteAllText(path, "[relay]\nRELAY_METHOD = rules\nDESTINATIONS = h:1\n");
                Assert.Throws<FormatException>(() => CarbonRingConfig.Read(path, null));
            }
        }
    }
}
