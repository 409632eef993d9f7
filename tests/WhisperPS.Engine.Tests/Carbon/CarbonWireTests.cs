using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using WhisperPS.Engine.Carbon;
using WhisperPS.Engine.Tests.Support;
using Xunit;

namespace WhisperPS.Engine.Tests.Carbon
{
    /// <summary>Our pickle frames, read back by carbon's own safe unpickler (carbon.util.get_unpickler).</summary>
    [Collection(PythonCollection.Name)]
    public sealed class CarbonWireTests
    {
        private readonly PythonWhisperFixture _py;

        public CarbonWireTests(PythonWhisperFixture py)
        {
            _py = py;
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Carbon)]
        public void Carbons_unpickler_reads_our_pickle_frames()
        {
            CarbonReference.EnsureInstalled();
            const int seed = 1404;
            var rng = new Random(seed);
            var names = RingPlacementTests.RandomNames(seed, 300);
            var points = new List<CarbonDatapoint>();
            double[] specials = { 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, -1e-300, 0.1 };
            long[] times = { 0, 1, int.MaxValue, (long)int.MaxValue + 1, uint.MaxValue, -1, 1700000000 };
            foreach (string n in names)
            {
                double v = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)] : (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-10, 12));
                long t = rng.Next(3) == 0 ? times[rng.Next(times.Length)] : 1600000000 + rng.Next(100000000);
                points.Add(new CarbonDatapoint(n, t, v));
            }
            using (var tmp = new TempDir())
            {
                // Two frames back to back, as one connection carries them.
                string file = Path.Combine(tmp.Path, "frames.bin");
                using (var f = File.Create(file))
                {
                    byte[] a = CarbonWire.Pickle(points, 0, 100), b = CarbonWire.Pickle(points, 100, points.Count - 100);
                    f.Write(a, 0, a.Length);
                    f.Write(b, 0, b.Length);
                    Assert.Equal(CarbonWire.PickleOverhead + points.Take(100).Sum(CarbonWire.PickleSize), a.Length);
                }
                string code = @"
import sys, struct, json, math
sys.path.insert(0, '/usr/lib/python3/dist-packages')
from carbon.util import get_unpickler
u = get_unpickler(insecure=False)
data = open(sys.argv[1], 'rb').read()
out = []
at = 0
while at < len(data):
    (n,) = struct.unpack('!I', data[at:at + 4])
    for (metric, (timestamp, value)) in u.loads(data[at + 4:at + 4 + n]):
        out.append([metric, timestamp, struct.pack('!d', float(value)).hex()])
    at += 4 + n
print(json.dumps(out))
";
                string script = Path.Combine(tmp.Path, "read.py");
                File.WriteAllText(script, code);
                var r = PythonWhisperFixture.Run("/usr/bin/python3", "\"" + script + "\" \"" + file + "\"", null, TimeSpan.FromMinutes(2));
                Assert.True(r.ExitCode == 0, "carbon's unpickler refused our frames: " + r.StdErr);
                var read = JsonSerializer.Deserialize<List<JsonElement[]>>(r.StdOut);
                Assert.Equal(points.Count, read.Count);
                for (int i = 0; i < points.Count; i++)
                {
                    var p = points[i];
                    string bits = BitConverter.DoubleToInt64Bits(p.Value).ToString("x16");
                    Assert.True(p.Metric == read[i][0].GetString() && p.Timestamp == read[i][1].GetInt64() && bits == read[i][2].GetString(),
                        "seed " + seed + ", point " + i + ": sent " + p + " (" + bits + "), carbon read " + string.Join(" ", read[i].Select(e => e.ToString())));
                }
            }
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Python)]
        public void Plaintext_lines_read_back_by_pythons_float()
        {
            var values = new[] { 0.1, 1e-300, 123456789.123, double.PositiveInfinity, double.NegativeInfinity, -0.0, 5e-324 };
            string code = "import sys, struct\nfor line in sys.stdin:\n    m, v, t = line.split()\n    print(struct.pack('!d', float(v)).hex(), int(float(t)))\n";
            string input = string.Concat(values.Select((v, i) => System.Text.Encoding.UTF8.GetString(CarbonWire.Line(new CarbonDatapoint("m.x", 1700000000 + i, v)))));
            var lines = _py.RunCode(code, input).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(values.Length, lines.Length);
            for (int i = 0; i < values.Length; i++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(values[i]).ToString("x16") + " " + (1700000000 + i), lines[i].Trim());
            }
            Assert.Null(CarbonWire.Problem("a.b", 1));
            Assert.NotNull(CarbonWire.Problem("a b", 1));
            Assert.NotNull(CarbonWire.Problem("a.b", double.NaN));
        }
    }
}
