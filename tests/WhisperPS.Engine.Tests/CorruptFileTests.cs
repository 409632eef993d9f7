using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// Damaged files (reference notes §1.10, §1.11): every operation reports CorruptWhisperFileException naming
    /// the file, never another exception type and never a wrong read or write.
    /// </summary>
    public sealed class CorruptFileTests : IDisposable
    {
        private const long Now = 1_500_000_000;
        private readonly TempDir _dir = new TempDir();

        public void Dispose() => _dir.Dispose();

        private string ValidFile()
        {
            string path = Create(_dir.File("a.wsp"), 0.5, AggregationMethod.Average, A(1, 20), A(5, 12));
            UpdateMany(path, Now, Enumerable.Range(0, 50).Select(i => P(Now - i, i)));
            return path;
        }

        private static void AssertCorrupt(string path, Action action)
        {
            var e = Record.Exception(action);
            var c = Assert.IsType<CorruptWhisperFileException>(e);
            Assert.Equal(path, c.Path);
            Assert.StartsWith("Unable to read", c.Error);
            Assert.Equal(c.Error + " (" + path + ")", c.Message);
        }

        [Fact]
        public void ExceptionCarriesErrorAndPath()
        {
            var e = new CorruptWhisperFileException("Unable to read header", "/var/lib/x.wsp");
            Assert.Equal("Unable to read header", e.Error);
            Assert.Equal("/var/lib/x.wsp", e.Path);
            Assert.Equal("Unable to read header (/var/lib/x.wsp)", e.Message);
            Assert.IsAssignableFrom<WhisperException>(e);
        }

        [Fact]
        public void EveryTruncationIsCorruptForEveryOperation()
        {
            string valid = ValidFile();
            var bytes = File.ReadAllBytes(valid);
            string other = _dir.File("other.wsp");
            File.Copy(valid, other);
            string path = _dir.File("cut.wsp");
            for (int length = 0; length < bytes.Length; length++)
            {
                File.WriteAllBytes(path, bytes.AsSpan(0, length).ToArray());
                AssertCorrupt(path, () => WhisperFile.ReadHeader(path));
                AssertCorrupt(path, () => Fetch(path, Now - 30, Now, Now));
                AssertCorrupt(path, () => UpdateMany(path, Now, P(Now, 1)));
                AssertCorrupt(path, () => Update(path, 1, Now, Now));
                AssertCorrupt(path, () => WhisperFile.Merge(path, other, now: Now));
                AssertCorrupt(path, () => WhisperFile.Merge(other, path, now: Now));
                Assert.Equal(length, new FileInfo(path).Length); // nothing was written to it
            }
        }

        public static TheoryData<string, int, uint> BadFields => new TheoryData<string, int, uint>
        {
            { "aggregation type 0", 0, 0 },
            { "aggregation type 9", 0, 9 },
            { "max retention not the largest retention", 4, 61 },
            { "xff 1.5", 8, BitConverter.SingleToUInt32Bits(1.5f) },
            { "xff -0.5", 8, BitConverter.SingleToUInt32Bits(-0.5f) },
            { "xff NaN", 8, 0x7FC00000 },
            { "no archives", 12, 0 },
            { "more archives than fit", 12, 3 },
            { "huge archive count", 12, uint.MaxValue },
            { "first offset wrong", 16, 41 },
            { "second offset overlaps", 28, 40 },
            { "step 0", 20, 0 },
            { "points 0", 24, 0 },
            { "points past the end", 36, 13 },
            { "coarse step not a multiple", 32, 7 },
            { "coarse archive finer than fine", 32, 1 },
        };

        [Theory]
        [MemberData(nameof(BadFields))]
        public void BadHeaderFieldsAreCorrupt(string why, int offset, uint value)
        {
            string path = ValidFile(); // 1s x 20 then 5s x 12: header 40 bytes, archives at 40 and 280
            var bytes = File.ReadAllBytes(path);
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), value);
            File.WriteAllBytes(path, bytes);
            AssertCorrupt(path, () => WhisperFile.ReadHeader(path));
            AssertCorrupt(path, () => WhisperFile.Open(path, FileOpenMode.ReadWrite).Dispose());
            Assert.Equal(bytes, File.ReadAllBytes(path)); // never repaired or overwritten
            _ = why; // names the case in the test list
        }

        [Fact]
        public void AllZeroFileIsCorrupt()
        {
            // info on a file whose header is zeros: whisper says "Unable to read header".
            string path = _dir.File("zero.wsp");
            File.WriteAllBytes(path, new byte[16 + 12 + 12 * 60]);
            AssertCorrupt(path, () => WhisperFile.ReadHeader(path));
            Assert.StartsWith("Unable to read header", Assert.Throws<CorruptWhisperFileException>(() => WhisperFile.ReadHeader(path)).Error);
        }

        [Fact]
        public void FileThatShrinksWhileOpenIsCorruptOnRead()
        {
            string path = ValidFile();
            using (var f = WhisperFile.Open(path))
            {
                using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) fs.SetLength(200);
                AssertCorrupt(path, () => f.Fetch(Now - 100, Now, Now)); // the 5 s archive is gone
                AssertCorrupt(path, () => f.Fetch(Now - 15, Now, Now)); // the 1 s archive is cut short
            }
        }

        [Fact]
        public void MissingFileIsNotCorruptButNotFound()
        {
            string path = _dir.File("missing.wsp");
            Assert.Throws<FileNotFoundException>(() => WhisperFile.Open(path));
            Assert.Throws<FileNotFoundException>(() => Fetch(path, 0, null, Now));
        }

        [Fact]
        public void TrailingBytesAfterTheLastArchiveAreTolerated()
        {
            // whisper never checks the size; a file with extra bytes still reads the same.
            string path = ValidFile();
            var expected = Fetch(path, Now - 20, Now, Now).Values;
            using (var fs = new FileStream(path, FileMode.Append)) fs.Write(new byte[7]);
            Assert.Equal(expected, Fetch(path, Now - 20, Now, Now).Values);
        }
    }
}
