using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace WhisperPS.Engine.Tests
{
    /// <summary>Bad arguments are refused with a message that says what to fix, before any file is touched.</summary>
    public sealed class FuzzArgumentTests : IDisposable
    {
        private const long Now = 1_700_000_000;
        private readonly ITestOutputHelper _out;
        private readonly TempDir _scratch = new TempDir();
        private readonly string _dir;
        private readonly string _file;
        private readonly byte[] _before;

        public FuzzArgumentTests(ITestOutputHelper output)
        {
            _out = output;
            _dir = _scratch.Path;
            _file = Path.Combine(_dir, "a.wsp");
            WhisperFile.Create(_file, new[] { new ArchiveSpec(1, 3600), new ArchiveSpec(60, 1440) });
            using (var f = WhisperFile.Open(_file, FileOpenMode.ReadWrite))
                f.UpdateMany(Enumerable.Range(0, 100).Select(i => new Point(Now - i, i)).ToList(), Now);
            _before = File.ReadAllBytes(_file);
        }

        public void Dispose() => _scratch.Dispose();

        private void AssertUntouched()
        {
            Assert.Equal(_before, File.ReadAllBytes(_file));
            Assert.Equal(new[] { "a.wsp" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        }

        public static IEnumerable<object[]> BadRetentions() => new[]
        {
            new object[] { new[] { "bogus" }, "precision:retention" },
            new object[] { new[] { "0s:1d" }, "at least 1 second" },
            new object[] { new[] { "10x:1d" }, "Invalid" },
            new object[] { new[] { "1s:1h", "1s:2h" }, "same precision" },
            new object[] { new[] { "7s:1h", "10s:2h" }, "evenly" },
            new object[] { new[] { "1m:1d", "1h:12h" }, "cover larger time intervals" },
            new object[] { new[] { "1s:10", "1m:1d" }, "consolidate" },
        };

        [Theory]
        [MemberData(nameof(BadRetentions))]
        public void InvalidRetentionCreatesNothing(string[] retention, string hint)
        {
            string path = Path.Combine(_dir, "new.wsp");
            var e = Assert.ThrowsAny<InvalidConfigurationException>(() => WhisperFile.Create(path, Retention.ParseList(retention)));
            _out.WriteLine(string.Join(",", retention) + ": " + e.Message);
            Assert.Contains(hint, e.Message);
            AssertUntouched();
        }

        [Fact]
        public void RandomBadArgumentsNeverTouchTheFile()
        {
            int seed = Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            double[] badXff = { -1e-9, 1.0000001, 2, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue };
            long[] badTs = { -1, -86400, long.MinValue, (long)uint.MaxValue + 1, long.MaxValue, 1L << 40 };
            string created = Path.Combine(_dir, "new.wsp");
            for (int i = 0; i < 2000; i++)
            {
                string context = "seed " + seed + " case " + i;
                double xff = badXff[rng.Next(badXff.Length)];
                long ts = badTs[rng.Next(badTs.Length)];
                var method = (AggregationMethod)(rng.Next(2) == 0 ? rng.Next(-5, 1) : rng.Next(9, 1000));
                switch (rng.Next(7))
                {
                    case 0:
                        Assert.Contains("between 0 and 1", Assert.Throws<InvalidXFilesFactorException>(() =>
                            WhisperFile.Create(created, new[] { new ArchiveSpec(1, 60) }, xff)).Message);
                        break;
                    case 1:
                        Assert.Contains("aggregation method", Assert.Throws<InvalidAggregationMethodException>(() =>
                            WhisperFile.Create(created, new[] { new ArchiveSpec(1, 60) }, 0.5, method)).Message);
                        break;
                    case 2:
                        using (var f = WhisperFile.Open(_file, FileOpenMode.ReadWrite))
                        {
                            if (rng.Next(2) == 0) Assert.Throws<InvalidXFilesFactorException>(() => f.SetAggregation(null, xff));
                            else Assert.Throws<InvalidAggregationMethodException>(() => f.SetAggregation(method, 0.5));
                        }
                        break;
                    case 3:
                        using (var f = WhisperFile.Open(_file, FileOpenMode.ReadWrite))
                            Assert.Contains("1970", Assert.Throws<InvalidTimestampException>(() => f.Update(1, ts, Now)).Message);
                        break;
                    case 4:
                        // One bad timestamp anywhere in a batch: nothing of the batch is written.
                        using (var f = WhisperFile.Open(_file, FileOpenMode.ReadWrite))
                        {
                            var batch = Enumerable.Range(0, 50).Select(k => new Point(Now - k, 1000 + k)).ToList();
                            batch.Insert(rng.Next(batch.Count + 1), new Point(ts, 5));
                            Assert.Throws<InvalidTimestampException>(() => f.UpdateMany(batch, Now));
                        }
                        break;
                    case 5:
                        using (var f = WhisperFile.Open(_file))
                        {
                            long from = Now - rng.Next(1, 3000);
                            Assert.Contains("after until", Assert.Throws<InvalidTimeIntervalException>(() => f.Fetch(from, from - 1 - rng.Next(100), Now)).Message);
                        }
                        break;
                    default:
                    {
                        // The range is checked before either file is opened, so even a missing source gives this error.
                        long from = Now - rng.Next(1, 3000);
                        Assert.Contains("time_to must be >= time_from", Assert.Throws<InvalidTimeIntervalException>(() =>
                            WhisperFile.Merge(Path.Combine(_dir, "missing.wsp"), _file, from, from - 1 - rng.Next(100), Now)).Message);
                        break;
                    }
                }
                Assert.False(File.Exists(created), context);
            }
            AssertUntouched();
        }
    }
}
