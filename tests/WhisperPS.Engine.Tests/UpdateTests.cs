using System;
using System.Linq;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>update(): one point, then propagation (reference notes §1.7, §1.9).</summary>
    public sealed class UpdateTests : IDisposable
    {
        private const long Now = 1_500_000_000; // a multiple of 8, 10 and 60
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        [Fact]
        public void SingleArchiveStoresEveryCoveredPointInPlace()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 20));
            var values = Enumerable.Range(0, 20).Select(i => i * 1.5 - 7).ToArray();
            for (int age = 19; age >= 0; age--) Update(path, values[age], Now - age, Now);
            var r = Fetch(path, Now - 20, Now, Now);
            Assert.Equal((Now - 19, Now + 1, 1L), (r.FromInterval, r.UntilInterval, r.Step));
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (double?)values[19 - i]), r.Values);
        }

        [Fact]
        public void FutureAndFullyAgedPointsAreNotCovered()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 20), A(5, 20));
            var before = System.IO.File.ReadAllBytes(path);
            var e = Assert.Throws<TimestampNotCoveredException>(() => Update(path, 1, Now + 1, Now));
            Assert.StartsWith("Timestamp not covered by any archives in this database.", e.Message);
            // age == maxRetention (100 s) is refused by update, though update_many takes it.
            Assert.Throws<TimestampNotCoveredException>(() => Update(path, 1, Now - 100, Now));
            Assert.Throws<TimestampNotCoveredException>(() => Update(path, 1, Now - 1000, Now));
            Assert.Equal(before, System.IO.File.ReadAllBytes(path));
            Update(path, 7, Now - 99, Now); // the oldest covered second goes to the 5 s archive
            Assert.Equal(((uint)(Now - 100), 7.0), Slot(path, 1, 0));
            Assert.Empty(Slots(path, 0));
        }

        [Fact]
        public void TimestampDefaultsToNow()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 20));
            Update(path, 3.25, null, Now);
            Assert.Equal(((uint)Now, 3.25), Slot(path, 0, 0));
            Assert.Equal(3.25, Fetch(path, Now - 1, Now, Now).Values.Single());
        }

        [Fact]
        public void TimestampsOutsideUInt32AreRefused()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 20));
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                Assert.Throws<InvalidTimestampException>(() => f.Update(1, -1, 10));
                Assert.Throws<InvalidTimestampException>(() => f.Update(1, 1L << 32, 1L << 32));
                Assert.Throws<InvalidTimestampException>(() => f.UpdateMany(new[] { P(-5, 1) }, 10));
            }
        }

        [Fact]
        public void ReadOnlyHandleCannotWrite()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 20));
            using (var f = WhisperFile.Open(path))
            {
                Assert.Throws<InvalidOperationException>(() => f.Update(1, Now, Now));
                Assert.Throws<InvalidOperationException>(() => f.UpdateMany(new[] { P(Now, 1) }, Now));
            }
        }

        [Fact]
        public void RingWrapsAndOnlyTheLatestLapIsVisible()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 6));
            long t0 = Now - 200;
            // 3 laps of a 6-slot ring, one point per call, the clock moving with the points.
            for (int i = 0; i < 18; i++) Update(path, i, t0 + 10 * i, t0 + 10 * i);
            long now = t0 + 170;
            var r = Fetch(path, now - 60, now, now);
            Assert.Equal(new double?[] { 12, 13, 14, 15, 16, 17 }, r.Values);
            // Slot 0 (the anchor) was rewritten with the latest lap's timestamp.
            Assert.Equal(((uint)(t0 + 120), 12.0), Slot(path, 0, 0));
        }

        [Fact]
        public void PointsOlderThanTheAnchorWrapBackwards()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 10));
            Update(path, 1, Now, Now);       // anchors slot 0 at Now
            Update(path, 2, Now - 3, Now);   // floor modulo: slot 7, not a negative offset
            Assert.Equal(((uint)(Now - 3), 2.0), Slot(path, 0, 7));
            Assert.Equal(new double?[] { 2, null, null, 1 }, Fetch(path, Now - 4, Now, Now).Values);
        }

        [Fact]
        public void XffIsComparedAsTheStoredFloat32()
        {
            // 0.1 is stored as 0.10000000149...; 1 known of 10 is 0.1 < that, so whisper does not propagate.
            string path = Create(_dir.File("a.wsp"), 0.1, AggregationMethod.Sum, A(1, 20), A(10, 10));
            long start = Now - 10; // aligned to 10
            Update(path, 5, start, Now);
            Assert.Empty(Slots(path, 1));
            Update(path, 6, start + 1, Now); // 2 of 10 = 0.2 >= 0.1000...
            Assert.Equal(new[] { ((uint)start, 11.0) }, Slots(path, 1));
        }

        [Fact]
        public void XffWithAnExactFloatPropagatesAtEquality()
        {
            string path = Create(_dir.File("a.wsp"), 0.5, AggregationMethod.Max, A(1, 20), A(4, 10));
            long start = Now - 8; // aligned to 4
            Update(path, 5, start, Now);
            Assert.Empty(Slots(path, 1)); // 1 of 4
            Update(path, 9, start + 3, Now);
            Assert.Equal(new[] { ((uint)start, 9.0) }, Slots(path, 1)); // 2 of 4 == 0.5
        }

        [Theory]
        [InlineData(0.5, 2.0, 3.0)]   // 1 of 4 < 0.5: the 4 s archive takes nothing, so the 8 s one is not recomputed
        [InlineData(0.25, 6.0, 5.0)]  // 1 of 4 >= 0.25: 4 s slot becomes 6, 8 s slot avg(6, 4) = 5
        public void PropagationStopsAtTheFirstArchiveThatTakesNoValue(double xff, double fourSeconds, double eightSeconds)
        {
            string path = Create(_dir.File("a.wsp"), xff, AggregationMethod.Average, A(1, 60), A(4, 60), A(8, 60));
            const long T = Now - 80; // aligned to 8
            // Raw into the 4 s archive (ages 100 and 96 > 60), which rolls them up into the 8 s one: avg(2, 4) = 3.
            UpdateMany(path, T + 100, P(T, 2), P(T + 4, 4));
            Assert.Equal(((uint)T, 3.0), Slot(path, 2, 0));
            // One second into the 1 s archive: 1 of the 4 slots of its 4 s window is known.
            Update(path, 6, T + 1, T + 10);
            Assert.Equal(((uint)T, fourSeconds), Slot(path, 1, 0));
            Assert.Equal(((uint)T, eightSeconds), Slot(path, 2, 0));
        }
    }
}
