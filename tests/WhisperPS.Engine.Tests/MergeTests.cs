using System;
using System.IO;
using System.Linq;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>merge(): archive-by-archive copy into an identically laid-out file (reference notes §1.13).</summary>
    public sealed class MergeTests : IDisposable
    {
        private const long Now = 1_500_000_000;
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        [Fact]
        public void CopiesEveryArchiveIntoAnEmptyDestination()
        {
            string src = Create(_dir.File("src.wsp"), A(1, 60), A(10, 60), A(60, 60));
            string dst = Create(_dir.File("dst.wsp"), A(1, 60), A(10, 60), A(60, 60));
            UpdateMany(src, Now, Enumerable.Range(0, 3000).Where(i => i % 7 != 0).Select(i => P(Now - i, i)));
            WhisperFile.Merge(src, dst, now: Now);
            foreach (long step in new long[] { 1, 10, 60 })
                Assert.Equal(Fetch(src, 0, null, Now, step).Values, Fetch(dst, 0, null, Now, step).Values);
            Assert.NotEmpty(Slots(dst, 2));
        }

        [Fact]
        public void EmptySourceLeavesTheDestinationUnchanged()
        {
            string src = Create(_dir.File("src.wsp"), A(1, 60), A(10, 60));
            string dst = Create(_dir.File("dst.wsp"), A(1, 60), A(10, 60));
            UpdateMany(dst, Now, Enumerable.Range(0, 100).Select(i => P(Now - i, i)));
            var before = File.ReadAllBytes(dst);
            WhisperFile.Merge(src, dst, now: Now);
            Assert.Equal(before, File.ReadAllBytes(dst));
        }

        [Fact]
        public void UnalikeConfigurationsAreRefused()
        {
            string src = Create(_dir.File("src.wsp"), A(1, 60), A(10, 60));
            string dst = Create(_dir.File("dst.wsp"), A(1, 60), A(10, 61));
            UpdateMany(src, Now, P(Now, 1));
            var before = File.ReadAllBytes(dst);
            var e = Assert.Throws<ArchiveMismatchException>(() => WhisperFile.Merge(src, dst, now: Now));
            Assert.StartsWith(src + " and " + dst + " archive configurations are unalike. Resize the input before merging", e.Message);
            Assert.Equal(before, File.ReadAllBytes(dst));
        }

        [Fact]
        public void TimeRangeCopiesOnlyFromExclusiveToUntilInclusive()
        {
            string src = Create(_dir.File("src.wsp"), A(1, 100));
            string dst = Create(_dir.File("dst.wsp"), A(1, 100));
            UpdateMany(src, Now, Enumerable.Range(0, 100).Select(i => P(Now - i, i)));
            WhisperFile.Merge(src, dst, Now - 50, Now - 20, Now);
            var got = Fetch(dst, Now - 100, Now, Now);
            for (int i = 0; i < got.Values.Length; i++)
            {
                long t = got.TimestampAt(i);
                double? expected = t > Now - 50 && t <= Now - 20 ? Now - t : (double?)null;
                Assert.True(expected == got.Values[i], "t=" + t + ": expected " + expected + ", got " + got.Values[i]);
            }
        }

        [Fact]
        public void SourceValuesOverwriteTheDestinationAndItsGapsKeepOldValues()
        {
            string src = Create(_dir.File("src.wsp"), A(1, 20));
            string dst = Create(_dir.File("dst.wsp"), A(1, 20));
            UpdateMany(src, Now, P(Now - 2, 100), P(Now - 4, 200));
            UpdateMany(dst, Now, Enumerable.Range(0, 6).Select(i => P(Now - i, -i)));
            WhisperFile.Merge(src, dst, now: Now);
            Assert.Equal(new double?[] { -5, 200, -3, 100, -1, 0 }, Fetch(dst, Now - 6, Now, Now).Values);
        }

        [Fact]
        public void PropagatesWithTheDestinationsMethod()
        {
            // The source (xff 1, 9 of 10 known) has no 10 s value; the destination (sum, xff 0) rolls up 9 x 2.
            string src = Create(_dir.File("src.wsp"), 1, AggregationMethod.Average, A(1, 60), A(10, 60));
            string dst = Create(_dir.File("dst.wsp"), 0, AggregationMethod.Sum, A(1, 60), A(10, 60));
            UpdateMany(src, Now, Enumerable.Range(1, 9).Select(i => P(Now - 10 - i, 2)));
            Assert.Empty(Slots(src, 1));
            WhisperFile.Merge(src, dst, now: Now);
            Assert.Equal(18.0, Fetch(dst, Now - 21, Now - 20, Now, 10).Values.Single());
        }

        [Fact]
        public void CoarseSourceValuesOverwriteTheDestinationsOwnRollup()
        {
            // Archives are copied finest first; the source's 10 s average (2) then replaces the sum (20)
            // the destination had just propagated, as whisper's merge does.
            string src = Create(_dir.File("src.wsp"), 0, AggregationMethod.Average, A(1, 60), A(10, 60));
            string dst = Create(_dir.File("dst.wsp"), 0, AggregationMethod.Sum, A(1, 60), A(10, 60));
            UpdateMany(src, Now, Enumerable.Range(1, 10).Select(i => P(Now - 10 - i, 2)));
            WhisperFile.Merge(src, dst, now: Now);
            Assert.Equal(2.0, Fetch(dst, Now - 21, Now - 20, Now, 10).Values.Single());
        }

        [Fact]
        public void UntilBeforeFromIsRefused()
        {
            string src = Create(_dir.File("src.wsp"), A(1, 60));
            string dst = Create(_dir.File("dst.wsp"), A(1, 60));
            var e = Assert.Throws<InvalidTimeIntervalException>(() => WhisperFile.Merge(src, dst, Now - 10, Now - 20, Now));
            Assert.Contains("time_to must be >= time_from", e.Message);
        }

        [Fact]
        public void MergingAFileIntoItselfIsRefused()
        {
            string src = Create(_dir.File("src.wsp"), A(1, 60));
            Assert.Throws<ArgumentException>(() => WhisperFile.Merge(src, src, now: Now));
        }

        [Fact]
        public void MissingFilesAreNotFound()
        {
            string src = Create(_dir.File("src.wsp"), A(1, 60));
            Assert.Throws<FileNotFoundException>(() => WhisperFile.Merge(_dir.File("nope.wsp"), src, now: Now));
            Assert.Throws<FileNotFoundException>(() => WhisperFile.Merge(src, _dir.File("nope.wsp"), now: Now));
        }
    }
}
