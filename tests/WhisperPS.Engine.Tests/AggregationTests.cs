using System;
using Xunit;
using WhisperPS.Engine.Tests.Support;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>whisper's aggregate() for the eight methods (reference notes §1.2) and the method names.</summary>
    public sealed class AggregationTests
    {
        private static double Agg(AggregationMethod m, params double?[] slots)
        {
            var values = new double[slots.Length];
            var known = new bool[slots.Length];
            int k = 0;
            for (int i = 0; i < slots.Length; i++)
            {
                if (!slots[i].HasValue) continue;
                values[i] = slots[i].Value;
                known[i] = true;
                k++;
            }
            return Aggregation.Aggregate(m, values, known, slots.Length, k);
        }

        [Theory]
        [InlineData(AggregationMethod.Average, -2.0 / 3)]
        [InlineData(AggregationMethod.Sum, -2.0)]
        [InlineData(AggregationMethod.Last, 4.0)]
        [InlineData(AggregationMethod.Max, 4.0)]
        [InlineData(AggregationMethod.Min, -8.0)]
        [InlineData(AggregationMethod.AvgZero, -2.0 / 6)]
        [InlineData(AggregationMethod.AbsMax, -8.0)]
        [InlineData(AggregationMethod.AbsMin, 2.0)]
        public void WorkedExampleRollsUpThroughTheFile(AggregationMethod method, double expected)
        {
            // 10 s -> 60 s, xff 0.5, slots 2, -8, 4 known and 3 of 6 missing: whisper's verified results.
            using (var dir = new TempDir())
            {
                string path = Create(dir.File("a.wsp"), 0.5, method, A(10, 60), A(60, 60));
                const long minute = 1_600_000_020 - 1_600_000_020 % 60;
                UpdateMany(path, minute + 50, P(minute, 2), P(minute + 10, -8), P(minute + 20, 4));
                var r = Fetch(path, minute - 1, minute, minute + 50, 60);
                Assert.Equal(minute, r.FromInterval);
                Assert.Equal(new double?[] { expected }, r.Values);
                Assert.Equal(((uint)minute, expected), Slot(path, 1, 0));
            }
        }

        [Fact]
        public void AbsMaxAndAbsMinKeepTheFirstOfEqualMagnitudes()
        {
            Assert.Equal(-3.0, Agg(AggregationMethod.AbsMax, -3, 3));
            Assert.Equal(3.0, Agg(AggregationMethod.AbsMax, 3, -3));
            Assert.Equal(-3.0, Agg(AggregationMethod.AbsMin, -3, 3, 5));
            Assert.Equal(3.0, Agg(AggregationMethod.AbsMin, 3, -3, -5));
        }

        [Fact]
        public void MaxAndMinKeepTheFirstOfEqualValues()
        {
            // 0.0 and -0.0 compare equal; Python's max/min return the first, so its sign is kept.
            Assert.Equal(0L, BitConverter.DoubleToInt64Bits(Agg(AggregationMethod.Max, 0.0, -0.0)));
            Assert.Equal(long.MinValue, BitConverter.DoubleToInt64Bits(Agg(AggregationMethod.Min, -0.0, 0.0)));
        }

        [Fact]
        public void AvgZeroCountsMissingSlotsAsZero()
        {
            Assert.Equal(1.5, Agg(AggregationMethod.AvgZero, 4, null, 2, null));
            Assert.Equal(3.0, Agg(AggregationMethod.Average, 4, null, 2, null));
            Assert.Equal(0.0, Agg(AggregationMethod.AvgZero, 0, null, 0, null));
        }

        [Fact]
        public void LastIsTheChronologicallyLastKnownSlot()
        {
            Assert.Equal(7.0, Agg(AggregationMethod.Last, 1, 7, null, null));
            Assert.Equal(-1.0, Agg(AggregationMethod.Last, null, null, -1));
        }

        [Fact]
        public void SumIsLeftToRightDoubleAddition()
        {
            // Python's sum() on 3.11: ((0 + 1e16) + 1) + 1 loses both ones; a compensated sum would not.
            Assert.Equal(1e16, Agg(AggregationMethod.Sum, 1e16, 1, 1));
            Assert.Equal(0.30000000000000004, Agg(AggregationMethod.Sum, 0.1, 0.2));
        }

        [Fact]
        public void NanInAWindowPoisonsAverageAndSumButNotAnEarlierMax()
        {
            double nan = BitConverter.Int64BitsToDouble(0x7FF8000000000000);
            Assert.True(double.IsNaN(Agg(AggregationMethod.Average, 1, nan)));
            Assert.True(double.IsNaN(Agg(AggregationMethod.Sum, nan, 1)));
            // max(1, nan) is 1 in Python (nan > 1 is False); max(nan, 1) is nan.
            Assert.Equal(1.0, Agg(AggregationMethod.Max, 1, nan));
            Assert.True(double.IsNaN(Agg(AggregationMethod.Max, nan, 1)));
        }

        [Theory]
        [InlineData("average", AggregationMethod.Average, 1)]
        [InlineData("sum", AggregationMethod.Sum, 2)]
        [InlineData("last", AggregationMethod.Last, 3)]
        [InlineData("max", AggregationMethod.Max, 4)]
        [InlineData("min", AggregationMethod.Min, 5)]
        [InlineData("avg_zero", AggregationMethod.AvgZero, 6)]
        [InlineData("absmax", AggregationMethod.AbsMax, 7)]
        [InlineData("absmin", AggregationMethod.AbsMin, 8)]
        public void WhisperNamesAndCodes(string name, AggregationMethod method, int code)
        {
            Assert.Equal(method, Aggregation.Parse(name));
            Assert.Equal(method, Aggregation.Parse(name.ToUpperInvariant()));
            Assert.Equal(method, Aggregation.Parse(method.ToString()));
            Assert.Equal(name, Aggregation.ToWhisperName(method));
            Assert.Equal(code, (int)method);
        }

        [Fact]
        public void AllListsTheEightMethodsInCodeOrder()
        {
            Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, Array.ConvertAll(new System.Collections.Generic.List<AggregationMethod>(Aggregation.All).ToArray(), m => (int)m));
        }

        [Fact]
        public void UnknownMethodIsRefused()
        {
            var e = Assert.Throws<InvalidAggregationMethodException>(() => Aggregation.Parse("yummy beer"));
            Assert.StartsWith("Unrecognized aggregation method: yummy beer", e.Message);
            Assert.False(Aggregation.TryParse("", out _));
            Assert.Throws<InvalidAggregationMethodException>(() => Aggregation.ToWhisperName((AggregationMethod)9));
        }
    }
}
