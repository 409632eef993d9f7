using System;
using System.Linq;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>fetch(): range checks, archive choice, (from, until] alignment and wrap-around (reference notes §1.10).</summary>
    public sealed class FetchTests : IDisposable
    {
        private const long Now = 1_500_000_000; // a multiple of 10 and 60
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        private string FourArchives() => Create(_dir.File("a.wsp"), A(1, 60), A(60, 60), A(3600, 24), A(86400, 365));

        [Fact]
        public void RangeCoversFromExclusiveToUntilInclusive()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 60));
            long s = Now - 100;
            UpdateMany(path, Now, P(s, 1), P(s + 10, 2), P(s + 20, 3), P(s + 30, 4));
            var r = Fetch(path, s, s + 20, Now);
            Assert.Equal((s + 10, s + 30, 10L), (r.FromInterval, r.UntilInterval, r.Step));
            Assert.Equal(new double?[] { 2, 3 }, r.Values); // s excluded, s + 20 included
            Assert.Equal(new double?[] { 2, 3 }, Fetch(path, s + 9, s + 29, Now).Values); // unaligned bounds align down first
        }

        [Fact]
        public void ZeroLengthRangeReturnsOnePoint()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 60));
            UpdateMany(path, Now, P(Now - 40, 7));
            var r = Fetch(path, Now - 45, Now - 45, Now);
            Assert.Equal((Now - 40, Now - 30, 10L), (r.FromInterval, r.UntilInterval, r.Step));
            Assert.Equal(new double?[] { 7 }, r.Values);
            Assert.Single(Fetch(path, Now - 50, Now - 50, Now).Values);
        }

        [Fact]
        public void FromAfterUntilIsAnInvalidInterval()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 60));
            var e = Assert.Throws<InvalidTimeIntervalException>(() => Fetch(path, Now - 10, Now - 11, Now));
            Assert.Equal("Invalid time interval: from time '" + (Now - 10) + "' is after until time '" + (Now - 11) + "' (" + path + ")", e.Message);
        }

        [Fact]
        public void RangesWhollyInTheFutureOrPastReturnNull()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 60));
            UpdateMany(path, Now, P(Now, 1));
            Assert.Null(Fetch(path, Now + 1, Now + 100, Now));
            Assert.Null(Fetch(path, Now - 1000, Now - 601, Now));
            Assert.NotNull(Fetch(path, Now - 1000, Now - 600, Now)); // until == now - maxRetention still answers
            Assert.NotNull(Fetch(path, Now, Now + 100, Now));
        }

        [Fact]
        public void RangeIsClippedToRetentionAndNow()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 60));
            var r = Fetch(path, Now - 10_000, Now + 10_000, Now);
            Assert.Equal((Now - 590, Now + 10, 10L), (r.FromInterval, r.UntilInterval, r.Step));
            Assert.Equal(60, r.Values.Length);
            Assert.All(r.Values, v => Assert.Null(v)); // empty archive: a full list of nulls
        }

        [Fact]
        public void FetchFromZeroPicksTheCoarsestArchive()
        {
            string path = FourArchives();
            var r = Fetch(path, 0, null, Now);
            Assert.Equal(86400L, r.Step);
            Assert.Equal(365, r.Values.Length);
            Assert.Equal(86400L * 365, r.UntilInterval - r.FromInterval);
        }

        [Fact]
        public void ArchiveIsChosenByNowMinusFromNotByTheSpan()
        {
            string path = FourArchives();
            Assert.Equal(1L, Fetch(path, Now - 60, Now - 59, Now).Step);
            Assert.Equal(60L, Fetch(path, Now - 61, Now - 59, Now).Step); // a 2 s span, but from is 61 s ago
            Assert.Equal(3600L, Fetch(path, Now - 3601, Now - 3600, Now).Step);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(60)]
        [InlineData(3600)]
        [InlineData(86400)]
        public void GranularitySelectsTheArchiveWithThatStep(long step)
        {
            string path = FourArchives();
            UpdateMany(path, Now, P(Now - 1, 1));
            var r = Fetch(path, 0, null, Now, step);
            Assert.Equal(step, r.Step);
            // The span is still the file's whole retention, aligned to the chosen step.
            Assert.Equal(Now - 86400L * 365 - (Now - 86400L * 365) % step + step, r.FromInterval);
        }

        [Fact]
        public void UnknownGranularityIsRefused()
        {
            string path = FourArchives();
            var e = Assert.Throws<ArgumentException>(() => Fetch(path, 0, null, Now, 2));
            Assert.StartsWith("Invalid granularity: 2", e.Message);
        }

        [Fact]
        public void RangeLongerThanTheArchiveReturnsFewerValuesLikeWhisper()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 60), A(60, 60), A(3600, 24));
            // Empty 1 s archive: a null per step of the whole day.
            var empty = Fetch(path, 0, null, Now, 1);
            Assert.Equal(86400, empty.Values.Length);
            // With data, the offsets wrap: the day is an exact number of laps, so one full lap comes back.
            UpdateMany(path, Now, Enumerable.Range(0, 60).Select(i => P(Now - i, i)));
            var r = Fetch(path, 0, null, Now, 1);
            Assert.Equal((Now - 86400 + 1, Now + 1, 1L), (r.FromInterval, r.UntilInterval, r.Step));
            Assert.Equal(60, r.Values.Length);
            // Slot timestamps are checked against from + i: the lap read from the day's start holds none of them.
            Assert.All(r.Values, v => Assert.Null(v));
        }

        [Fact]
        public void WrappedRingReadsInTimeOrderAcrossItsEnd()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10));
            UpdateMany(path, Now - 20, P(Now - 25, 0)); // anchor slot 0 at Now - 25
            UpdateMany(path, Now, Enumerable.Range(0, 10).Select(i => P(Now - i, 100 - i)));
            var r = Fetch(path, Now - 10, Now, Now);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (double?)(91 + i)), r.Values);
        }

        [Fact]
        public void StaleSlotsFromAnEarlierLapAreNull()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10));
            UpdateMany(path, Now - 10, Enumerable.Range(0, 10).Select(i => P(Now - 10 - i, i)));
            UpdateMany(path, Now, P(Now - 3, 42));
            Assert.Equal(new double?[] { null, null, null, null, null, null, 42, null, null, null }, Fetch(path, Now - 10, Now, Now).Values);
        }

        [Fact]
        public void LargeWrappedArchiveDecodesEverySlotAcrossReadsAndResultChunks()
        {
            // 100,000 one-second slots (1.2 MB): the fetch takes several 256 KB reads whose ends do not line up with the
            // result's 8,192-slot chunks, and the range crosses the ring's end. The oracle reads the file's bytes itself.
            const int points = 100_000;
            string path = Create(_dir.File("big.wsp"), 0, AggregationMethod.Average, A(1, points));
            var rnd = new Random(20261125);
            long lap1 = Now - 60_000;
            // An earlier lap anchors slot 0 and leaves stale slots behind; the current lap writes a random half.
            UpdateMany(path, lap1, Enumerable.Range(0, 40_000).Select(i => P(lap1 - rnd.Next(points), rnd.NextDouble())));
            var special = new[] { double.NaN, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue };
            UpdateMany(path, Now, Enumerable.Range(0, points / 2).Select(i => P(Now - rnd.Next(points), i % 97 == 0 ? special[i % special.Length] : rnd.NextDouble() * 1e6 - 5e5)));

            var r = Fetch(path, Now - points, Now, Now);
            var known = Slots(path, 0).ToDictionary(x => (long)x.Timestamp, x => BitConverter.DoubleToInt64Bits(x.Value));
            Assert.Equal(points, r.Count);
            int present = 0;
            for (int i = 0; i < r.Count; i++)
            {
                bool has = r.TryGetValue(i, out double v);
                Assert.Equal(known.ContainsKey(r.TimestampAt(i)), has);
                if (!has) continue;
                present++;
                Assert.Equal(known[r.TimestampAt(i)], BitConverter.DoubleToInt64Bits(v));
            }
            // The workload must leave plenty of each kind: slots with a point of the range, empty slots, and stale
            // slots holding a point of the earlier lap (outside the range).
            Assert.InRange(present, 10_000, points - 10_000);
            Assert.True(known.Keys.Count(t => t <= Now - points) > 1_000, "too few stale slots");

            // Merge reads the same range through the known-points path; the copy must fetch identically.
            string copy = Create(_dir.File("copy.wsp"), 0, AggregationMethod.Average, A(1, points));
            WhisperFile.Merge(path, copy, now: Now);
            var c = Fetch(copy, Now - points, Now, Now);
            Assert.Equal(r.Count, c.Count);
            for (int i = 0; i < r.Count; i++)
            {
                Assert.Equal(r.TryGetValue(i, out double a), c.TryGetValue(i, out double b));
                Assert.Equal(BitConverter.DoubleToInt64Bits(a), BitConverter.DoubleToInt64Bits(b));
            }
        }
    }
}
