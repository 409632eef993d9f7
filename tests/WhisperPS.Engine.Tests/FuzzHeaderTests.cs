using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using WhisperPS.Engine.IO;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// Hostile and damaged files: every read must end in a correct result or a CorruptWhisperFileException that
    /// names the file, quickly, without allocating more than the file justifies, and without changing a byte.
    /// The random cases print their seed; set WHISPERPS_FUZZ_SEED to replay one run.
    /// </summary>
    public sealed class FuzzHeaderTests : IDisposable
    {
        private const long Now = 1_700_000_000;
        private readonly ITestOutputHelper _out;
        private readonly TempDir _scratch = new TempDir();
        private readonly string _dir;

        public FuzzHeaderTests(ITestOutputHelper output)
        {
            _out = output;
            _dir = _scratch.Path;
        }

        public void Dispose() => _scratch.Dispose();

        /// <summary>Valid files of several shapes, with data, that the mutations start from.</summary>
        internal static List<byte[]> Seeds(string dir)
        {
            var layouts = new[]
            {
                new[] { new ArchiveSpec(60, 100) },
                new[] { new ArchiveSpec(1, 60), new ArchiveSpec(60, 60), new ArchiveSpec(3600, 24) },
                new[] { new ArchiveSpec(10, 360), new ArchiveSpec(60, 240), new ArchiveSpec(600, 150), new ArchiveSpec(3600, 48) },
                new[] { new ArchiveSpec(5, 12), new ArchiveSpec(10, 12) },
            };
            var seeds = new List<byte[]>();
            for (int k = 0; k < layouts.Length; k++)
            {
                string p = Path.Combine(dir, "seed" + k + ".wsp");
                WhisperFile.Create(p, layouts[k], 0.5, (AggregationMethod)(1 + k % 8));
                using (var f = WhisperFile.Open(p, FileOpenMode.ReadWrite))
                {
                    long retention = f.Header.MaxRetention;
                    var points = new List<Point>();
                    for (long t = Now - retention + 1; t <= Now; t += Math.Max(1, retention / 400))
                        points.Add(new Point(t, t % 1000 + 0.25));
                    f.UpdateMany(points, Now);
                }
                seeds.Add(File.ReadAllBytes(p));
                File.Delete(p);
            }
            return seeds;
        }

        private static readonly uint[] Interesting =
        {
            0, 1, 2, 3, 7, 8, 9, 11, 12, 16, 28, 40, 60, 255, 256, 4095, 4096, 65535, 65536,
            0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF, 0x15555555, 0x0AAAAAAB,
        };

        /// <summary>One damaged file from a seed: which of the classic damages it gets is chosen at random.</summary>
        internal static (byte[] Bytes, string Kind) Mutate(Random rng, List<byte[]> seeds)
        {
            var seed = seeds[rng.Next(seeds.Count)];
            int archives = (int)BigEndian.ReadUInt32(seed, 12);
            int headerSize = WhisperHeader.HeaderSize(archives);
            byte[] b = (byte[])seed.Clone();
            int kind = rng.Next(10);
            switch (kind)
            {
                case 0: // a few random bits anywhere in the header
                {
                    int flips = 1 + rng.Next(4);
                    for (int i = 0; i < flips; i++) b[rng.Next(headerSize)] ^= (byte)(1 << rng.Next(8));
                    return (b, "bitflip");
                }
                case 1:
                case 2: // one header field set to a boundary value, the file length, or another archive's offset
                {
                    int field = rng.Next(headerSize / 4);
                    uint v;
                    int pick = rng.Next(5);
                    if (pick == 0) v = (uint)b.Length + (uint)(rng.Next(5) - 2);
                    else if (pick == 1) v = BigEndian.ReadUInt32(b, 16 + 12 * rng.Next(archives)); // overlapping offset
                    else if (pick == 2) v = BigEndian.ReadUInt32(b, field * 4) + (uint)(rng.Next(7) - 3);
                    else v = Interesting[rng.Next(Interesting.Length)];
                    BigEndian.WriteUInt32(b, field * 4, v);
                    return (b, "field");
                }
                case 3: // absurd archive count
                    BigEndian.WriteUInt32(b, 12, rng.Next(2) == 0 ? Interesting[rng.Next(Interesting.Length)] : (uint)rng.Next());
                    return (b, "count");
                case 4: // truncated
                    return (b.Take(rng.Next(b.Length)).ToArray(), "truncated");
                case 5: // header damaged and truncated
                    b[rng.Next(headerSize)] = (byte)rng.Next(256);
                    return (b.Take(rng.Next(b.Length + 1)).ToArray(), "field+truncated");
                case 6: // valid header, garbage in the data slots
                {
                    int n = 1 + rng.Next(64);
                    for (int i = 0; i < n; i++) b[headerSize + rng.Next(b.Length - headerSize)] = (byte)rng.Next(256);
                    if (rng.Next(4) == 0) for (int i = headerSize; i < b.Length; i++) b[i] = (byte)rng.Next(256);
                    return (b, "data");
                }
                case 7: // valid header, extra bytes after the last archive
                {
                    var extra = new byte[1 + rng.Next(100)];
                    rng.NextBytes(extra);
                    return (b.Concat(extra).ToArray(), "extended");
                }
                case 8: // not whisper at all
                {
                    int len = rng.Next(4096);
                    var r = new byte[len];
                    int style = rng.Next(4);
                    if (style == 0) rng.NextBytes(r);
                    else if (style == 1) for (int i = 0; i < len; i++) r[i] = 0xFF;
                    else if (style == 2) { /* all zeros, like a file from a crashed preallocation */ }
                    else
                    {
                        var text = System.Text.Encoding.ASCII.GetBytes("# not a whisper file\nmetric.name 1.5 1700000000\n");
                        for (int i = 0; i < len; i++) r[i] = text[i % text.Length];
                    }
                    return (r, "foreign");
                }
                default: // swapped or shuffled archive entries (overlap, wrong order)
                {
                    if (archives < 2) goto case 0;
                    int i = rng.Next(archives), j = rng.Next(archives);
                    for (int k = 0; k < 12; k++)
                    {
                        byte t = b[16 + 12 * i + k];
                        b[16 + 12 * i + k] = b[16 + 12 * j + k];
                        b[16 + 12 * j + k] = t;
                    }
                    if (rng.Next(2) == 0) BigEndian.WriteUInt32(b, 16 + 12 * i + 4 * rng.Next(3), Interesting[rng.Next(Interesting.Length)]);
                    return (b, "archive-table");
                }
            }
        }

        /// <summary>Reads a file every way the engine can and returns "ok" or "corrupt"; anything else fails the test.</summary>
        // Time bounds are multiplied by WHISPERPS_SLOW_IO_FACTOR: the Windows stage under Wine sets it, since every
        // file call there is a round trip to wineserver.
        private static readonly double SlowIo =
            Environment.GetEnvironmentVariable("WHISPERPS_SLOW_IO_FACTOR") is string slow ? double.Parse(slow, CultureInfo.InvariantCulture) : 1;

        private static string ReadEveryWay(string path, byte[] bytes, string context)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            string outcome;
            try
            {
                using (var f = WhisperFile.Open(path))
                {
                    var h = f.Header;
                    // A header the engine accepted must describe this file truthfully.
                    Assert.True(h.FileSize <= bytes.Length, context + ": archives end past the file");
                    Assert.Equal((int)BigEndian.ReadUInt32(bytes, 12), h.Archives.Count);
                    long newest = Now + 30;
                    foreach (long from in new[] { newest - h.MaxRetention, newest - 1, 0L, newest - h.MaxRetention / 2 })
                    {
                        var r = f.Fetch(from, newest, newest);
                        if (r != null) Assert.Equal((r.UntilInterval - r.FromInterval) / r.Step, (long)r.Values.Length);
                    }
                    foreach (var a in h.Archives)
                    {
                        var r = f.Fetch(newest - a.Retention, newest, newest, a.SecondsPerPoint);
                        Assert.NotNull(r);
                        Assert.Equal(a.SecondsPerPoint, r.Step);
                        Assert.True(r.Values.Length <= a.Points + 1, context + ": more values than the archive has slots");
                    }
                    Assert.Null(f.Fetch(newest + 10, newest + 20, newest));
                }
                outcome = "ok";
            }
            catch (CorruptWhisperFileException e)
            {
                Assert.Equal(path, e.Path);
                Assert.Contains(path, e.Message);
                Assert.False(string.IsNullOrWhiteSpace(e.Error), context);
                outcome = "corrupt";
            }
            catch (Exception e) when (!(e is Xunit.Sdk.XunitException))
            {
                throw new Xunit.Sdk.XunitException(context + ": " + e.GetType().Name + " instead of a result or CorruptWhisperFileException: " + e);
            }
            sw.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // Fetch results hold 16-byte nullable doubles per 12-byte slot, read a few times over: a small multiple
            // of the file plus a constant is what the file justifies.
            Assert.True(allocated < 64 * 1024 + 8L * bytes.Length, context + ": allocated " + allocated + " bytes for a " + bytes.Length + "-byte file");
            // A hang guard, not a speed test (Bench measures speed): a header that made the engine walk billions of
            // slots would take minutes; a normal case takes milliseconds even on a loaded machine.
            Assert.True(sw.ElapsedMilliseconds < 15000 * SlowIo, context + ": took " + sw.ElapsedMilliseconds + " ms");
            return outcome;
        }

        [Fact]
        public void TwelveThousandMutatedFilesEndInAResultOrTheCorruptFileError()
        {
            int seed = Environment.GetEnvironmentVariable("WHISPERPS_FUZZ_SEED") is string s
                ? int.Parse(s, CultureInfo.InvariantCulture) : Environment.TickCount & 0x7FFFFFFF;
            _out.WriteLine("WHISPERPS_FUZZ_SEED=" + seed);
            var rng = new Random(seed);
            var seeds = Seeds(_dir);
            var counts = new Dictionary<string, int>();
            var total = Stopwatch.StartNew();
            // The Windows stage runs fewer cases under Wine (WHISPERPS_FUZZ_CASES); the bounds below scale with them.
            int Cases = Environment.GetEnvironmentVariable("WHISPERPS_FUZZ_CASES") is string cases ? int.Parse(cases, CultureInfo.InvariantCulture) : 12000;
            string path = Path.Combine(_dir, "case.wsp");
            for (int i = 0; i < Cases; i++)
            {
                var (bytes, kind) = Mutate(rng, seeds);
                File.WriteAllBytes(path, bytes);
                string context = "seed " + seed + " case " + i + " (" + kind + ", " + bytes.Length + " bytes, header " +
                    BitConverter.ToString(bytes, 0, Math.Min(bytes.Length, 64)) + ")";
                string outcome = ReadEveryWay(path, bytes, context);
                string key = kind + "/" + outcome;
                counts[key] = counts.TryGetValue(key, out int c) ? c + 1 : 1;

                // Every fifth case also goes through the writer: a damaged header must be refused before anything
                // is written, and a write to an accepted file must leave a header that still reads back the same.
                if (i % 5 == 0)
                {
                    try
                    {
                        WhisperHeader header;
                        using (var f = WhisperFile.Open(path, FileOpenMode.ReadWrite))
                        {
                            Assert.Equal("ok", outcome);
                            header = f.Header;
                            f.UpdateMany(new[] { new Point(Now - 5, 1.5), new Point(Now - 4000, 2.5) }, Now);
                        }
                        // Reopened only after the writer's lock is gone: flock would make our own reader wait for it.
                        var again = WhisperFile.ReadHeader(path);
                        Assert.True(WhisperFile.SameLayout(header, again), context + ": a write changed the archive table");
                        Assert.Equal(bytes.Length, new FileInfo(path).Length);
                    }
                    catch (CorruptWhisperFileException e)
                    {
                        Assert.Equal("corrupt", outcome);
                        Assert.Equal(path, e.Path);
                        Assert.Equal(bytes, File.ReadAllBytes(path));
                    }
                }
                else
                {
                    Assert.Equal(bytes, File.ReadAllBytes(path)); // a read never writes
                }
            }
            total.Stop();
            foreach (var kv in counts.OrderBy(k => k.Key)) _out.WriteLine(kv.Key + ": " + kv.Value);
            _out.WriteLine(Cases + " cases in " + total.ElapsedMilliseconds + " ms");
            // Both outcomes must actually occur, or the mutations test nothing.
            Assert.True(counts.Where(k => k.Key.EndsWith("/ok")).Sum(k => k.Value) > 500 * Cases / 12000, "too few readable cases");
            Assert.True(counts.Where(k => k.Key.EndsWith("/corrupt")).Sum(k => k.Value) > 5000 * Cases / 12000, "too few corrupt cases");
            // No bound on the total: per-case hang guards and allocation bounds above; the run's time is only printed,
            // since a total depends on the machine's load (the suite's speed is measured by build.ps1 Bench).
        }

        [Fact]
        public void EveryTruncationOfAMultiArchiveFileIsReportedCorrupt()
        {
            var seed = Seeds(_dir)[2];
            string path = Path.Combine(_dir, "trunc.wsp");
            // Every length through the header; past it every WHISPERPS_TRUNCATION_STEP-th (1 unless the Windows stage
            // under Wine, where each of these thousands of file round trips is slow, asks for fewer).
            int headerEnd = 16 + 12 * (int)BigEndian.ReadUInt32(seed, 12);
            int step = Environment.GetEnvironmentVariable("WHISPERPS_TRUNCATION_STEP") is string st ? int.Parse(st, CultureInfo.InvariantCulture) : 1;
            for (int len = 0; len < seed.Length; len += len < headerEnd ? 1 : step)
            {
                var bytes = seed.Take(len).ToArray();
                File.WriteAllBytes(path, bytes);
                Assert.Equal("corrupt", ReadEveryWay(path, bytes, "truncated to " + len));
                Assert.Equal(bytes, File.ReadAllBytes(path));
            }
            File.WriteAllBytes(path, seed);
            Assert.Equal("ok", ReadEveryWay(path, seed, "untruncated"));
        }

        private string WriteHeader(string name, uint method, uint maxRetention, float xff, uint count, int length, params uint[] table)
        {
            var b = new byte[Math.Max(length, 16 + 4 * table.Length)];
            BigEndian.WriteUInt32(b, 0, method);
            BigEndian.WriteUInt32(b, 4, maxRetention);
            BigEndian.WriteSingle(b, 8, xff);
            BigEndian.WriteUInt32(b, 12, count);
            for (int i = 0; i < table.Length; i++) BigEndian.WriteUInt32(b, 16 + 4 * i, table[i]);
            string p = Path.Combine(_dir, name);
            File.WriteAllBytes(p, b.Take(length).ToArray());
            return p;
        }

        public static IEnumerable<object[]> HostileHeaders()
        {
            // name, method, maxRetention, xff, count, file length, archive table, words expected in the error
            yield return new object[] { "count 2^32-1", 1u, 60u, 0.5f, uint.MaxValue, 1024, new uint[] { 28, 1, 60 }, "archives do not fit" };
            yield return new object[] { "count 2^31", 1u, 60u, 0.5f, 0x80000000u, 1024, new uint[] { 28, 1, 60 }, "archives do not fit" };
            yield return new object[] { "count 0", 1u, 60u, 0.5f, 0u, 1024, new uint[0], "no archives" };
            yield return new object[] { "points 2^32-1", 1u, uint.MaxValue, 0.5f, 1u, 1024, new uint[] { 28, 1, uint.MaxValue }, "truncated" };
            yield return new object[] { "offset past end", 1u, 60u, 0.5f, 1u, 1024, new uint[] { 0xFFFFFF00, 1, 60 }, "should be 28" };
            yield return new object[] { "zero points", 1u, 0u, 0.5f, 1u, 1024, new uint[] { 28, 1, 0 }, "at least 1" };
            yield return new object[] { "zero step", 1u, 0u, 0.5f, 1u, 1024, new uint[] { 28, 0, 60 }, "at least 1" };
            yield return new object[] { "overlapping", 1u, 3600u, 0.5f, 2u, 4096, new uint[] { 40, 1, 60, 40, 60, 60 }, "overlap" };
            yield return new object[] { "unordered", 1u, 3600u, 0.5f, 2u, 4096, new uint[] { 40, 60, 60, 760, 1, 60 }, "archive rules" };
            yield return new object[] { "maxRetention lies", 1u, 99u, 0.5f, 1u, 1024, new uint[] { 28, 1, 60 }, "maxRetention" };
            yield return new object[] { "aggregation 0", 0u, 60u, 0.5f, 1u, 1024, new uint[] { 28, 1, 60 }, "aggregation type" };
            yield return new object[] { "aggregation 9", 9u, 60u, 0.5f, 1u, 1024, new uint[] { 28, 1, 60 }, "aggregation type" };
            yield return new object[] { "xff NaN", 1u, 60u, float.NaN, 1u, 1024, new uint[] { 28, 1, 60 }, "xFilesFactor" };
            yield return new object[] { "xff 2", 1u, 60u, 2f, 1u, 1024, new uint[] { 28, 1, 60 }, "xFilesFactor" };
            yield return new object[] { "xff -0.5", 1u, 60u, -0.5f, 1u, 1024, new uint[] { 28, 1, 60 }, "xFilesFactor" };
            yield return new object[] { "empty", 1u, 60u, 0.5f, 1u, 0, new uint[0], "shorter than" };
            yield return new object[] { "15 bytes", 1u, 60u, 0.5f, 1u, 15, new uint[0], "shorter than" };
            yield return new object[] { "table cut", 1u, 60u, 0.5f, 3u, 30, new uint[] { 28, 1, 60 }, "archives do not fit" };
        }

        [Theory]
        [MemberData(nameof(HostileHeaders))]
        public void HostileHeaderIsRefusedFastWithoutBigAllocations(string name, uint method, uint maxRetention, float xff,
            uint count, int length, uint[] table, string expected)
        {
            string path = WriteHeader("hostile.wsp", method, maxRetention, xff, count, length, table);
            var before = File.ReadAllBytes(path);
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            var e = Assert.Throws<CorruptWhisperFileException>(() => WhisperFile.Open(path));
            sw.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            _out.WriteLine(name + ": " + e.Message + " [" + sw.Elapsed.TotalMilliseconds + " ms, " + allocated + " bytes]");
            Assert.Contains(expected, e.Message);
            Assert.Equal(path, e.Path);
            Assert.True(allocated < 32 * 1024, name + ": allocated " + allocated + " bytes");
            Assert.True(sw.ElapsedMilliseconds < 15000 * SlowIo, name + ": took " + sw.ElapsedMilliseconds + " ms (hang guard)");
            Assert.Throws<CorruptWhisperFileException>(() => WhisperFile.Open(path, FileOpenMode.ReadWrite));
            Assert.Equal(before, File.ReadAllBytes(path));
        }

        [Fact]
        public void ADirectoryOrAMissingFileIsNotReportedAsCorrupt()
        {
            Assert.Throws<FileNotFoundException>(() => WhisperFile.Open(Path.Combine(_dir, "missing.wsp")));
            var e = Assert.Throws<UnauthorizedAccessException>(() => WhisperFile.Open(_dir));
            Assert.Contains(_dir, e.Message);
        }
    }
}
