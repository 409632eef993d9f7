using System;
using System.IO;
using WhisperPS.Engine.IO;
using Xunit;
using WhisperPS.Engine.Tests.Support;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// Every error about one file names it, after whisper's own wording, so a message in a log of a run over
    /// thousands of files says which file to fix.
    /// </summary>
    public sealed class ErrorMessageTests : IDisposable
    {
        private const long Now = 1_500_000_000;
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        private static void AssertNamesFile(Exception e, string wording, string path)
        {
            Assert.StartsWith(wording, e.Message);
            Assert.EndsWith("(" + path + ")", e.Message);
        }

        [Fact]
        public void UpdateOutsideRetentionNamesTheFile()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 60));
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                AssertNamesFile(Assert.Throws<TimestampNotCoveredException>(() => f.Update(1, Now + 1, Now)),
                    "Timestamp not covered by any archives in this database.", path);
                AssertNamesFile(Assert.Throws<InvalidTimestampException>(() => f.Update(1, -5, Now)), "Timestamp -5 cannot be stored", path);
                AssertNamesFile(Assert.Throws<InvalidTimestampException>(() => f.UpdateMany(new[] { P(Now, 1), P(1L << 32, 2) }, Now)),
                    "Timestamp 4294967296 cannot be stored", path);
            }
        }

        [Fact]
        public void FetchAndSetAggregationErrorsNameTheFile()
        {
            string path = Create(_dir.File("a.wsp"), A(10, 60));
            using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
            {
                AssertNamesFile(Assert.Throws<InvalidTimeIntervalException>(() => f.Fetch(Now, Now - 1, Now)), "Invalid time interval", path);
                AssertNamesFile(Assert.Throws<InvalidXFilesFactorException>(() => f.SetAggregation(null, 1.5)), "Invalid xFilesFactor 1.5", path);
                AssertNamesFile(Assert.Throws<InvalidAggregationMethodException>(() => f.SetAggregation((AggregationMethod)9)),
                    "Unrecognized aggregation method: 9", path);
            }
        }

        [Fact]
        public void CreateErrorsNameTheFileAndCreateNothing()
        {
            string path = _dir.File("new.wsp");
            AssertNamesFile(Assert.Throws<InvalidConfigurationException>(() => WhisperFile.Create(path, new[] { A(60, 10), A(10, 60) })),
                "Lower precision archives must cover larger time intervals", path);
            AssertNamesFile(Assert.Throws<InvalidXFilesFactorException>(() => WhisperFile.Create(path, new[] { A(10, 60) }, double.NaN)),
                "Invalid xFilesFactor NaN", path);
            AssertNamesFile(Assert.Throws<InvalidAggregationMethodException>(() => WhisperFile.Create(path, new[] { A(10, 60) }, 0.5, 0)),
                "Unrecognized aggregation method: 0", path);
            Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(path)));
        }

        [Fact]
        public void MergeRangeErrorNamesBothFiles()
        {
            string a = Create(_dir.File("a.wsp"), A(10, 60));
            string b = Create(_dir.File("b.wsp"), A(10, 60));
            var e = Assert.Throws<InvalidTimeIntervalException>(() => WhisperFile.Merge(a, b, Now, Now - 1, Now));
            Assert.Contains("time_to must be >= time_from", e.Message);
            Assert.EndsWith("(" + a + " into " + b + ")", e.Message);
        }
    }
}
