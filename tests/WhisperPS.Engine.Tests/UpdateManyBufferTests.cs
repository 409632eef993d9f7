using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// UpdateManyBuffer keeps, per archive bucket and aligned interval, only the point update_many would write: the
    /// file after UpdateMany(winners) must equal the file after UpdateMany(all points), byte for byte, including
    /// duplicates, points too old for the file and many points in the future (more future intervals than slots).
    /// </summary>
    public sealed class UpdateManyBufferTests : IDisposable
    {
        private const long Now = 1_767_323_045;
        private readonly TempDir _dir = new TempDir();
        private readonly ITestOutputHelper _output;

        public UpdateManyBufferTests(ITestOutputHelper output) => _output = output;

        public void Dispose() => _dir.Dispose();

        private static readonly ArchiveSpec[][] Schemas =
        {
            new[] { A(10, 36), A(60, 60), A(600, 24) },
            new[] { A(1, 120), A(60, 10) },
            new[] { A(60, 1440), A(3600, 168) },
            new[] { A(5, 12) },
        };

        [Theory]
        [InlineData(0.0)]
        [InlineData(0.05)]
        [InlineData(0.6)]
        public void WinnersGiveTheSameBytesAsAllPoints(double futureShare)
        {
            int seed = Environment.TickCount;
            var rnd = new Random(seed);
            for (int round = 0; round < 40; round++)
            {
                var schema = Schemas[rnd.Next(Schemas.Length)];
                var method = (AggregationMethod)rnd.Next(1, 9);
                double xff = new[] { 0, 0.3, 0.5, 1 }[rnd.Next(4)];
                string all = Create(_dir.File("all" + round + ".wsp"), xff, method, schema);
                string reduced = Create(_dir.File("reduced" + round + ".wsp"), xff, method, schema);
                long maxRetention = schema.Max(a => a.SecondsPerPoint * a.Points);
                int count = rnd.Next(0, 3000);
                var points = new List<Point>(count);
                for (int i = 0; i < count; i++)
                {
                    long t;
                    double r = rnd.NextDouble();
                    if (r < futureShare) t = Now + rnd.Next(1, (int)Math.Min(int.MaxValue, maxRetention * 3));
                    else if (r < futureShare + 0.02) t = Now - maxRetention - rnd.Next(1, 1000);
                    else t = Now - rnd.Next(0, (int)maxRetention + 1);
                    points.Add(P(t, Math.Round(rnd.NextDouble() * 100, rnd.Next(0, 4))));
                    if (rnd.Next(8) == 0) points.Add(P(t, rnd.NextDouble()));
                }
                UpdateMany(all, Now, points);

                UpdateManyBuffer buffer;
                using (var f = WhisperFile.Open(reduced, FileOpenMode.Read)) buffer = new UpdateManyBuffer(f.Header, Now);
                int notCovered = 0;
                foreach (var p in points) if (buffer.Add(p.Timestamp, p.Value) == PointFate.NotCovered) notCovered++;
                var winners = buffer.ToList();
                Assert.True(winners.Count <= points.Count);
                if (winners.Count > 0) UpdateMany(reduced, Now, winners);

                Assert.True(File.ReadAllBytes(all).SequenceEqual(File.ReadAllBytes(reduced)),
                    "seed " + seed + ", round " + round + ": " + points.Count + " points, " + winners.Count + " kept, " + notCovered + " too old");
                Assert.Equal(points.Count(p => Now - p.Timestamp > maxRetention), notCovered);
                Assert.Equal(points.Count(p => p.Timestamp > Now), buffer.FutureCount);
            }
            _output.WriteLine("seed " + seed);
        }

        [Fact]
        public void KeepsOnePointPerSlotHoweverManyArrive()
        {
            string path = Create(_dir.File("m.wsp"), A(60, 1440), A(3600, 168));
            UpdateManyBuffer buffer;
            using (var f = WhisperFile.Open(path, FileOpenMode.Read)) buffer = new UpdateManyBuffer(f.Header, Now);
            for (int i = 0; i < 200_000; i++) buffer.Add(Now - (i * 7919L) % (86400L * 7), i);
            // At most every slot of both archives' buckets, plus the boundary slot each bucket may share.
            Assert.InRange(buffer.Count, 1, 1440 + 168 + 2);
            Assert.Equal(200_000, buffer.Accepted);
        }
    }
}
