using System;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>setAggregationMethod / setXFilesFactor (reference notes §1.12).</summary>
    public sealed class SetAggregationTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        public static TheoryData<AggregationMethod, double> MethodsAndXffs()
        {
            var data = new TheoryData<AggregationMethod, double>();
            foreach (var m in Aggregation.All)
                foreach (var x in new[] { 0, 0.2, 0.4, 0.7, 0.75, 1.0 })
                    data.Add(m, x);
            return data;
        }

        [Theory]
        [MemberData(nameof(MethodsAndXffs))]
        public void SetsEveryMethodAndXffAndReturnsTheOldPair(AggregationMethod method, double xff)
        {
            string path = Create(_dir.File("a.wsp"), 0.5, AggregationMethod.Average, A(1, 60), A(60, 60));
            UpdateMany(path, 1_000_000, Enumerable.Range(0, 120).Select(i => P(1_000_000 - i, i)));
            var before = File.ReadAllBytes(path);

            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                // Method only: xff stays.
                var old = f.SetAggregation(method);
                Assert.Equal((AggregationMethod.Average, 0.5f), old);
                Assert.Equal(method, f.Header.AggregationMethod);
                Assert.Equal(0.5f, f.Header.XFilesFactor);

                old = f.SetAggregation(method, xff);
                Assert.Equal((method, 0.5f), old);
            }

            var h = WhisperFile.ReadHeader(path);
            Assert.Equal(method, h.AggregationMethod);
            // Stored as float32, as whisper's struct.pack('!f') does.
            Assert.Equal(BitConverter.SingleToInt32Bits((float)xff), BitConverter.SingleToInt32Bits(h.XFilesFactor));
            var after = File.ReadAllBytes(path);
            Assert.Equal((uint)method, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(after));
            Assert.Equal((float)xff, System.Buffers.Binary.BinaryPrimitives.ReadSingleBigEndian(after.AsSpan(8)));
            // Max retention, archive count, archive table and every data byte are untouched.
            Assert.Equal(before.Skip(4).Take(4), after.Skip(4).Take(4));
            Assert.Equal(before.Skip(12), after.Skip(12));
        }

        [Fact]
        public void XffOnlyKeepsTheMethodAndReturnsTheOldXff()
        {
            string path = Create(_dir.File("a.wsp"), 0.1, AggregationMethod.Max, A(1, 60));
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                var old = f.SetAggregation(null, 0.3);
                Assert.Equal(0.1f, old.XFilesFactor);
                Assert.Equal(AggregationMethod.Max, old.Method);
            }
            var h = WhisperFile.ReadHeader(path);
            Assert.Equal(AggregationMethod.Max, h.AggregationMethod);
            Assert.Equal(0.3f, h.XFilesFactor);
        }

        [Theory]
        [InlineData(-1.0)]
        [InlineData(2.0)]
        [InlineData(1.0000001)]
        [InlineData(double.NaN)]
        public void InvalidXffIsRefusedAndNothingIsWritten(double xff)
        {
            string path = Create(_dir.File("a.wsp"), A(1, 60));
            var before = File.ReadAllBytes(path);
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                var e = Assert.Throws<InvalidXFilesFactorException>(() => f.SetAggregation(AggregationMethod.Sum, xff));
                Assert.StartsWith("Invalid xFilesFactor ", e.Message);
                Assert.Contains("not between 0 and 1", e.Message);
                Assert.Equal(AggregationMethod.Average, f.Header.AggregationMethod);
            }
            Assert.Equal(before, File.ReadAllBytes(path));
        }

        [Fact]
        public void UnknownMethodIsRefusedAndNothingIsWritten()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 60));
            var before = File.ReadAllBytes(path);
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                var e = Assert.Throws<InvalidAggregationMethodException>(() => f.SetAggregation((AggregationMethod)99, 0.1));
                Assert.StartsWith("Unrecognized aggregation method: 99", e.Message);
            }
            Assert.Equal(before, File.ReadAllBytes(path));
        }

        [Fact]
        public void ReadOnlyHandleCannotSet()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 60));
            using (var f = WhisperFile.Open(path))
                Assert.Throws<InvalidOperationException>(() => f.SetAggregation(AggregationMethod.Sum));
        }

        [Fact]
        public void CorruptHeaderIsReportedNotOverwritten()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 60));
            var bytes = File.ReadAllBytes(path);
            bytes[3] = 42; // aggregation type 42
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<CorruptWhisperFileException>(() => WhisperFile.Open(path, FileOpenMode.ReadWrite));
            Assert.Equal(path, e.Path);
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }

        [Fact]
        public void OldRollupsStayAndLaterOnesUseTheNewMethod()
        {
            const long now = 1_000_020; // minute boundary: 1_000_020 % 60 == 0
            string path = Create(_dir.File("a.wsp"), 0, AggregationMethod.Sum, A(1, 180), A(60, 10));
            UpdateMany(path, now, P(now - 120, 1), P(now - 119, 2));
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite)) f.SetAggregation(AggregationMethod.Max);
            UpdateMany(path, now, P(now - 60, 1), P(now - 59, 2));
            var r = Fetch(path, now - 180, now - 60, now, 60);
            Assert.Equal(new double?[] { 3, 2 }, r.Values); // sum before the change, max after
        }
    }
}
