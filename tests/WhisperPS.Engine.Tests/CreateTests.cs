using System;
using System.Buffers.Binary;
using System.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>create() and info (reference notes §1.1, §1.5): layout, validation before any file exists,
    /// refusing existing files, and the three ways of allocating the data area.</summary>
    public sealed class CreateTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        /// <summary>The bytes whisper's create() writes, built here from the format description alone.</summary>
        private static byte[] ExpectedFile(uint method, float xff, params (uint Step, uint Points)[] sorted)
        {
            int header = 16 + 12 * sorted.Length;
            long size = header;
            uint maxRetention = 0;
            foreach (var a in sorted)
            {
                size += 12L * a.Points;
                maxRetention = Math.Max(maxRetention, a.Step * a.Points);
            }
            var b = new byte[size];
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(0), method);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), maxRetention);
            BinaryPrimitives.WriteSingleBigEndian(b.AsSpan(8), xff);
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), (uint)sorted.Length);
            uint offset = (uint)header;
            for (int i = 0; i < sorted.Length; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(16 + 12 * i), offset);
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(20 + 12 * i), sorted[i].Step);
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(24 + 12 * i), sorted[i].Points);
                offset += 12 * sorted[i].Points;
            }
            return b;
        }

        [Fact]
        public void WritesTheHeaderFinestFirstAndZeroedArchives()
        {
            string path = _dir.File("a.wsp");
            var header = WhisperFile.Create(path, new[] { A(3600, 24), A(1, 60), A(60, 60) }, 0.25, AggregationMethod.Sum);
            Assert.Equal(ExpectedFile(2, 0.25f, (1, 60), (60, 60), (3600, 24)), File.ReadAllBytes(path));
            Assert.Equal(16 + 12 * 3 + 12 * (60 + 60 + 24), new FileInfo(path).Length);
            Assert.Equal(header.FileSize, new FileInfo(path).Length);
        }

        [Fact]
        public void DefaultsAreHalfAndAverage()
        {
            string path = _dir.File("a.wsp");
            WhisperFile.Create(path, new[] { A(60, 1440) });
            Assert.Equal(ExpectedFile(1, 0.5f, (60, 1440)), File.ReadAllBytes(path));
        }

        [Fact]
        public void InfoReportsWhatCreateWrote()
        {
            string path = Create(_dir.File("a.wsp"), 0.1, AggregationMethod.AbsMin, A(10, 6 * 60 * 24), A(60, 60 * 24 * 7), A(3600, 24 * 365));
            var h = WhisperFile.ReadHeader(path);
            Assert.Equal(AggregationMethod.AbsMin, h.AggregationMethod);
            Assert.Equal(3600L * 24 * 365, h.MaxRetention);
            Assert.Equal(0.1f, h.XFilesFactor); // stored as float32: 0.1 becomes 0.100000001490116
            Assert.Equal(0.10000000149011612, (double)h.XFilesFactor);
            Assert.Equal(3, h.Archives.Count);
            Assert.Equal(new long[] { 52, 52 + 12 * 8640, 52 + 12 * 8640 + 12 * 10080 }, new[] { h.Archives[0].Offset, h.Archives[1].Offset, h.Archives[2].Offset });
            Assert.Equal(new long[] { 86400, 604800, 31536000 }, new[] { h.Archives[0].Retention, h.Archives[1].Retention, h.Archives[2].Retention });
            Assert.Equal(12L * 8640, h.Archives[0].Size);
        }

        [Fact]
        public void SparsePreallocatedAndZeroFilledFilesHaveIdenticalBytes()
        {
            var archives = new[] { A(1, 3000), A(60, 1440), A(3600, 2000) };
            var plain = _dir.File("plain.wsp");
            var sparse = _dir.File("sparse.wsp");
            var prealloc = _dir.File("prealloc.wsp");
            WhisperFile.Create(plain, archives, 0.3, AggregationMethod.Max);
            WhisperFile.Create(sparse, archives, 0.3, AggregationMethod.Max, new CreateOptions { Sparse = true });
            WhisperFile.Create(prealloc, archives, 0.3, AggregationMethod.Max, new CreateOptions { Preallocate = true, Flush = true });
            var expected = ExpectedFile(4, 0.3f, (1, 3000), (60, 1440), (3600, 2000));
            Assert.Equal(expected, File.ReadAllBytes(plain));
            Assert.Equal(expected, File.ReadAllBytes(sparse));
            Assert.Equal(expected, File.ReadAllBytes(prealloc));
        }

        [Fact]
        public void RefusesAnExistingFileAndLeavesItAlone()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 60));
            UpdateMany(path, 1_000_000, P(999_990, 42));
            var before = File.ReadAllBytes(path);
            var e = Assert.Throws<WhisperFileExistsException>(() => WhisperFile.Create(path, new[] { A(1, 60) }));
            Assert.Equal("File " + path + " already exists!", e.Message);
            Assert.IsAssignableFrom<InvalidConfigurationException>(e);
            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Single(_dir.Entries()); // no temporary left beside it
        }

        [Fact]
        public void RefusesADirectoryOfThatName()
        {
            string path = _dir.File("d.wsp");
            Directory.CreateDirectory(path);
            Assert.Throws<WhisperFileExistsException>(() => WhisperFile.Create(path, new[] { A(1, 60) }));
            Assert.True(Directory.Exists(path));
            Assert.Single(_dir.Entries());
        }

        [Fact]
        public void OverwriteReplacesAnExistingFile()
        {
            string path = Create(_dir.File("a.wsp"), A(1, 60));
            UpdateMany(path, 1_000_000, P(999_990, 42));
            WhisperFile.Create(path, new[] { A(10, 6) }, 1, AggregationMethod.Last, new CreateOptions { Overwrite = true });
            Assert.Equal(ExpectedFile(3, 1f, (10, 6)), File.ReadAllBytes(path));
            Assert.Single(_dir.Entries());
        }

        public static TheoryData<string, Action<string>> InvalidArguments => new TheoryData<string, Action<string>>
        {
            { "xff below 0", p => WhisperFile.Create(p, new[] { A(1, 60) }, -0.1) },
            { "xff above 1", p => WhisperFile.Create(p, new[] { A(1, 60) }, 1.5) },
            { "xff NaN", p => WhisperFile.Create(p, new[] { A(1, 60) }, double.NaN) },
            { "method 0", p => WhisperFile.Create(p, new[] { A(1, 60) }, 0.5, (AggregationMethod)0) },
            { "method 9", p => WhisperFile.Create(p, new[] { A(1, 60) }, 0.5, (AggregationMethod)9) },
            { "no archives", p => WhisperFile.Create(p, new ArchiveSpec[0]) },
            { "same precision", p => WhisperFile.Create(p, new[] { A(1, 60), A(1, 60) }) },
            { "too few points", p => WhisperFile.Create(p, new[] { A(1, 30), A(60, 60) }) },
            { "zero points", p => WhisperFile.Create(p, new[] { A(1, 0) }) },
        };

        // whisper 1.1.4 leaves a 0-byte file for a bad method or xff; we must create nothing at all.
        [Theory]
        [MemberData(nameof(InvalidArguments))]
        public void InvalidArgumentsCreateNothing(string why, Action<string> create)
        {
            string path = _dir.File("a.wsp");
            var e = Record.Exception(() => create(path));
            Assert.True(e is WhisperException, why + ": expected a WhisperException, got " + e);
            Assert.Empty(_dir.Entries());
        }

        [Fact]
        public void InvalidArgumentsNameTheProblem()
        {
            string path = _dir.File("a.wsp");
            Assert.StartsWith("Invalid xFilesFactor", Assert.Throws<InvalidXFilesFactorException>(() => WhisperFile.Create(path, new[] { A(1, 60) }, 2)).Message);
            Assert.StartsWith("Unrecognized aggregation method: 9",
                Assert.Throws<InvalidAggregationMethodException>(() => WhisperFile.Create(path, new[] { A(1, 60) }, 0.5, (AggregationMethod)9)).Message);
        }

        [Fact]
        public void MissingFolderCreatesNothing()
        {
            string path = Path.Combine(_dir.Path, "missing", "a.wsp");
            Assert.Throws<DirectoryNotFoundException>(() => WhisperFile.Create(path, new[] { A(1, 60) }));
            Assert.Empty(_dir.Entries());
        }

        [Fact]
        public void CreatedFileWorksForUpdateAndFetch()
        {
            // test_fallocate / test_sparse: each allocation mode gives a usable file.
            foreach (var opts in new[] { new CreateOptions(), new CreateOptions { Sparse = true }, new CreateOptions { Preallocate = true } })
            {
                string path = _dir.File(Guid.NewGuid().ToString("N") + ".wsp");
                WhisperFile.Create(path, new[] { A(1, 20), A(2, 30) }, 0.5, AggregationMethod.Average, opts);
                const long now = 1_500_000_000;
                for (int i = 0; i < 10; i++) Update(path, i, now - 9 + i, now);
                var r = Fetch(path, now - 10, now, now);
                Assert.Equal(new double?[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, r.Values);
            }
        }
    }
}
