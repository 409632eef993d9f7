using System;
using System.IO;
using System.Linq;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>update_many(): bucketing by age, de-duplication, run writes and propagation (reference notes §1.8).</summary>
    public sealed class UpdateManyTests : IDisposable
    {
        private const long Now = 1_500_000_000; // a multiple of 10 and 60
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        [Fact]
        public void ExcessPointsKeepTheNewestThree()
        {
            // test_update_many_excess: 3 x 1 s given 4 points; the oldest (age 3 == retention) fits the
            // archive but shares the newest point's slot and is written first, so it is overwritten.
            string path = Create(_dir.File("a.wsp"), A(1, 3));
            UpdateMany(path, Now, P(Now - 3, 30), P(Now - 2, 20), P(Now - 1, 10), P(Now, 0));
            var r = Fetch(path, 0, null, Now);
            Assert.Equal((Now - 2, Now + 1, 1L), (r.FromInterval, r.UntilInterval, r.Step));
            Assert.Equal(new double?[] { 20, 10, 0 }, r.Values);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void LatestTimestampInASlotWins(bool reversed)
        {
            string path = Create(_dir.File("a.wsp"), A(10, 10));
            long slot = Now - 50;
            var points = new[] { P(slot + 7, 5.0), P(slot + 3, 6.0), P(slot + 9, 7.0), P(slot + 1, 8.0) };
            if (reversed) Array.Reverse(points);
            UpdateMany(path, Now, points);
            Assert.Equal(new[] { ((uint)slot, 7.0) }, Slots(path, 0));
        }

        [Fact]
        public void IdenticalTimestampsKeepTheFirstGiven()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10));
            UpdateMany(path, Now, P(Now - 5, 1.0), P(Now - 4, 9.0), P(Now - 5, 2.0), P(Now - 5, 3.0));
            Assert.Equal(new double?[] { 1.0, 9.0 }, Fetch(path, Now - 6, Now - 4, Now).Values);
        }

        [Fact]
        public void IdenticalLatestTimestampsInASlotKeepTheFirstGiven()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 10));
            long slot = Now - 50;
            UpdateMany(path, Now, P(slot + 2, 4.0), P(slot + 8, 1.0), P(slot + 3, 5.0), P(slot + 8, 2.0));
            Assert.Equal(new[] { ((uint)slot, 1.0) }, Slots(path, 0));
        }

        [Fact]
        public void AgeEqualToRetentionIsWrittenButCannotBeFetched()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10), A(5, 10));
            UpdateMany(path, Now, P(Now - 50, 4.0));
            Assert.Equal(new[] { ((uint)(Now - 50), 4.0) }, Slots(path, 1));
            // fetch clips from to now - 50 and then starts one step later.
            Assert.All(Fetch(path, 0, null, Now).Values, v => Assert.Null(v));
        }

        [Fact]
        public void FuturePointsAreAcceptedIntoTheFinestArchive()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10), A(5, 10));
            UpdateMany(path, Now, P(Now + 5, 9.0));
            Assert.Equal(new[] { ((uint)(Now + 5), 9.0) }, Slots(path, 0));
            Assert.Equal(9.0, Fetch(path, Now + 4, Now + 5, Now + 5).Values.Single());
            // A single update of the same point is refused.
            Assert.Throws<TimestampNotCoveredException>(() => Update(path, 9.0, Now + 5, Now));
        }

        [Fact]
        public void PointsOlderThanTheFileAreDroppedAndReported()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10), A(5, 10));
            var r = UpdateMany(path, Now, P(Now - 51, 1), P(Now - 1, 2), P(Now - 70, 3));
            Assert.Equal(1, r.Stored);
            Assert.Equal(new[] { P(Now - 51, 1), P(Now - 70, 3) }, r.Dropped); // newest first, as whisper walks them
            Assert.Empty(Slots(path, 1).Where(s => s.Timestamp < Now - 50));
        }

        [Fact]
        public void EmptyListChangesNothing()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10));
            var before = File.ReadAllBytes(path);
            var r = UpdateMany(path, Now);
            Assert.Equal(0, r.Stored);
            Assert.Empty(r.Dropped);
            Assert.Equal(before, File.ReadAllBytes(path));
        }

        [Fact]
        public void PointsPastTheFinestRetentionAreWrittenRawIntoACoarserArchive()
        {
            string path = Create(_dir.File("a.wsp"), 0.5, AggregationMethod.Sum, A(1, 10), A(10, 10));
            // Ages 21..30 share one 10 s slot, written directly with the latest point's value, not their sum.
            UpdateMany(path, Now, Enumerable.Range(21, 10).Select(age => P(Now - age, age)));
            Assert.Equal(new[] { ((uint)(Now - 30), 21.0) }, Slots(path, 1));
        }

        [Fact]
        public void BatchingChangesSumRollupsAsInWhisper()
        {
            // 180 points of 1.0 ending at now on 1 s x 60 -> 60 s x 60, sum, xff 0. update_many puts ages
            // 0..60 in the 1 s ring, where now - 60 and now share a slot, so that minute sums to 59; older
            // minutes are raw 1.0 values. update() point by point gives 60 for the same minute.
            long now = Now;
            var many = Create(_dir.File("many.wsp"), 0, AggregationMethod.Sum, A(1, 60), A(60, 60));
            UpdateMany(many, now, Enumerable.Range(0, 180).Select(i => P(now - i, 1.0)));
            Assert.Equal(new double?[] { 1, 1, 59, 1 }, Fetch(many, now - 240, now, now, 60).Values);

            var single = Create(_dir.File("single.wsp"), 0, AggregationMethod.Sum, A(1, 60), A(60, 60));
            for (int i = 179; i >= 0; i--) Update(single, 1.0, now - i, now);
            Assert.Equal(60.0, Fetch(single, now - 120, now - 60, now, 60).Values.Single());
        }

        [Fact]
        public void RunsThatCrossTheRingEndAreSplit()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10));
            UpdateMany(path, Now, P(Now - 9, -1)); // anchors slot 0 at Now - 9
            // Now - 3 .. Now + 2 occupy slots 6..9 then 0..1; the anchor's own slot is overwritten by Now + 1.
            UpdateMany(path, Now + 2, Enumerable.Range(-3, 6).Select(d => P(Now + d, d)));
            Assert.Equal(((uint)(Now + 1), 1.0), Slot(path, 0, 0));
            Assert.Equal(((uint)(Now + 2), 2.0), Slot(path, 0, 1));
            Assert.Equal(((uint)(Now - 3), -3.0), Slot(path, 0, 6));
            Assert.Equal(new double?[] { -3, -2, -1, 0, 1, 2 }, Fetch(path, Now - 4, Now + 2, Now + 2).Values);
        }

        [Fact]
        public void DataReachesTheLastArchive()
        {
            string path = Create(_dir.File("a.wsp"), 0.5, AggregationMethod.Average, A(1, 120), A(10, 60), A(60, 60));
            long start = Now - 120;
            UpdateMany(path, Now, Enumerable.Range(0, 120).Select(i => P(start + i, i)));
            // Minute [Now-120, Now-60): average of 0..59 = 29.5, via ten 10 s averages.
            var r = Fetch(path, start - 1, start, Now, 60);
            Assert.Equal(29.5, r.Values.Single());
        }

        [Fact]
        public void NaNIsStoredBitForBit()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10));
            double pyNaN = BitConverter.Int64BitsToDouble(0x7FF8000000000000); // Python's float('nan')
            UpdateMany(path, Now, P(Now - 1, pyNaN), P(Now, double.NegativeInfinity));
            var r = Fetch(path, Now - 2, Now, Now).Values;
            Assert.Equal(0x7FF8000000000000, BitConverter.DoubleToInt64Bits(r[0].Value));
            Assert.Equal(double.NegativeInfinity, r[1]);
        }
    }
}
