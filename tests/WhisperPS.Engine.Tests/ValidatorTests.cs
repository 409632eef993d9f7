using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WhisperPS.Engine.Tests.Support;
using WhisperPS.Engine.Validation;
using Xunit;
using Xunit.Abstractions;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// WhisperValidator on the damaged-file corpus: every class gets its expected finding, valid files none (with
    /// Rollups too, including files written by python whisper itself), and find-corrupt-whisper-files is run on the
    /// same corpus to count what the header read alone finds.
    /// </summary>
    [Collection(PythonCollection.Name)]
    public sealed class ValidatorTests : IDisposable
    {
        private readonly TempDir _dir = new TempDir();
        private readonly PythonWhisperFixture _py;
        private readonly ITestOutputHelper _out;

        public ValidatorTests(PythonWhisperFixture py, ITestOutputHelper output)
        {
            _py = py;
            _out = output;
        }

        public void Dispose() => _dir.Dispose();

        private static ValidationResult Check(string path, bool rollups = true) =>
            WhisperValidator.Validate(path, new ValidationOptions { Now = DamagedCorpus.Now, Rollups = rollups });

        [Fact]
        [Trait(Needs.Trait, Needs.Python)]
        public void EveryCorpusClassGetsItsFindingAndFindCorruptWhisperFilesIsCounted()
        {
            int seed = Environment.TickCount;
            _out.WriteLine("seed " + seed);
            const int PerClass = 12;
            var cases = DamagedCorpus.Build(_dir.Path, PerClass, seed);
            var ours = new Dictionary<string, int>();
            foreach (var c in cases)
            {
                var r = Check(c.Path);
                string found = string.Join("; ", r.Findings);
                if (c.Expected == null)
                {
                    Assert.True(r.Findings.Count == 0, "seed " + seed + " " + c.Path + ": a valid file got " + found);
                    continue;
                }
                Assert.True(r.Findings.Any(f => f.Code == c.Expected), "seed " + seed + " " + c.Path + ": expected " + c.Expected + ", got " + found);
                Assert.True(c.Corrupt == !r.IsValid, "seed " + seed + " " + c.Path + ": IsValid " + r.IsValid + " with " + found);
                // A finding about an archive names one the file has; a slot finding names its archive too.
                Assert.All(r.Findings, f => Assert.True(!f.Slot.HasValue || f.Archive.HasValue));
                if (!r.IsValid || r.Findings.Count > 0) ours[c.Class] = ours.TryGetValue(c.Class, out int n) ? n + 1 : 1;
            }

            // python3-whisper's script on the same tree: it prints one line per file whisper.info() refuses.
            var run = PythonWhisperFixture.Run("/usr/bin/find-corrupt-whisper-files", "\"" + _dir.Path + "\"", null, TimeSpan.FromMinutes(5));
            Assert.Equal(0, run.ExitCode);
            var theirs = run.StdErr.Split('\n').Where(l => l.StartsWith("Corrupt Whisper file: ", StringComparison.Ordinal))
                .Select(l => Path.GetFileName(Path.GetDirectoryName(l.Substring("Corrupt Whisper file: ".Length))))
                .GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
            var table = new StringBuilder("class | expected finding | Test-WhisperFile | find-corrupt-whisper-files\n");
            foreach (var cls in cases.Select(c => c.Class).Distinct())
            {
                var expected = cases.First(c => c.Class == cls).Expected ?? "(none)";
                ours.TryGetValue(cls, out int o);
                theirs.TryGetValue(cls, out int t);
                table.AppendLine(cls + " | " + expected + " | " + o + "/" + PerClass + " | " + t + "/" + PerClass);
            }
            _out.WriteLine(table.ToString());
            File.WriteAllText(Path.Combine(Path.GetTempPath(), "whisperps-corpus-counts.txt"), table.ToString());
            // What the issue measured: the header read passes these damaged files.
            foreach (var missed in new[] { "half-truncated", "offset-into-another-archive", "wrong-max-retention", "misaligned-slot", "future-lap-slot" })
                Assert.False(theirs.ContainsKey(missed), missed + " was found by find-corrupt-whisper-files after all");
            Assert.Equal(PerClass, theirs["aggregation-unknown"]); // it does check the header fields it reads
            Assert.False(theirs.ContainsKey("valid"));
        }

        [Fact]
        [Trait(Needs.Trait, Needs.Python)]
        public void FilesWrittenByPythonWhisperAreCleanWithRollups()
        {
            int seed = Environment.TickCount;
            _out.WriteLine("seed " + seed);
            var rng = new Random(seed);
            var code = new StringBuilder("import whisper, random\nrandom.seed(" + seed + ")\n");
            var paths = new List<string>();
            string[] methods = { "average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin" };
            for (int i = 0; i < 16; i++)
            {
                string p = _dir.File("py" + i + ".wsp");
                paths.Add(p);
                double xff = new[] { 0.0, 0.3, 0.5, 1.0 }[rng.Next(4)];
                code.Append("whisper.create('" + p + "', [(1, 300), (10, 120), (60, 100), (600, 20)], " + xff.ToString(CultureInfo.InvariantCulture) +
                    ", '" + methods[rng.Next(methods.Length)] + "')\n");
                // Several batches as carbon writes them, with random gaps and values (negative ones for absmax/absmin).
                code.Append("now = " + DamagedCorpus.Now + " - 6000\n" +
                    "for batch in range(30):\n" +
                    "    now += random.randint(60, 199)\n" +
                    "    pts = [(now - random.randint(0, 400), random.uniform(-100, 100)) for _ in range(random.randint(1, 80))]\n" +
                    "    whisper.update_many('" + p + "', pts, now=now)\n" +
                    "print('now', now)\n");
            }
            var nows = _py.RunCode(code.ToString()).Split('\n').Where(l => l.StartsWith("now ", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Substring(4), CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(paths.Count, nows.Count);
            int rollupsChecked = 0;
            for (int i = 0; i < paths.Count; i++)
            {
                // Now: the file's last write; codes 6-8 only warn about go-carbon.
                var r = WhisperValidator.Validate(paths[i], new ValidationOptions { Now = nows[i], Rollups = true });
                Assert.True(r.Findings.All(f => f.Code == FindingCodes.AggregationNotGoCarbon), "seed " + seed + " " + paths[i] + ": " + string.Join("; ", r.Findings));
                // Teeth: a changed coarse value in the newest finer window is found in each file.
                var h = WhisperFile.ReadHeader(paths[i]);
                var fine = Slots(paths[i], 0).Max(x => x.Timestamp);
                var bytes = File.ReadAllBytes(paths[i]);
                var a1 = h.Archives[1];
                long anchor = BigEndian.ReadUInt32(bytes, (int)a1.Offset);
                // Any coarse point the check covers: windows after now - 300 s (the finer retention) + one finer step.
                for (long t = fine / 10 * 10; t >= nows[i] - 290; t -= 10)
                {
                    int at = (int)a1.Offset + 12 * (int)((((t - anchor) / 10) % a1.Points + a1.Points) % a1.Points);
                    if (BigEndian.ReadUInt32(bytes, at) != t) continue;
                    BigEndian.WriteDouble(bytes, at + 4, 1e300);
                    File.WriteAllBytes(paths[i], bytes);
                    r = WhisperValidator.Validate(paths[i], new ValidationOptions { Now = nows[i], Rollups = true });
                    Assert.Contains(r.Findings, f => f.Code == FindingCodes.RollupMismatch && f.Archive == 1);
                    rollupsChecked++;
                    break;
                }
            }
            // With xFilesFactor 1.0 or sparse batches a file may have no coarse point there; most files do.
            Assert.True(rollupsChecked >= paths.Count / 4, "seed " + seed + ": only " + rollupsChecked + " files had a coarse point to change");
        }

        [Fact]
        public void RollupsCheckedOnlyWhereTheFinerArchiveHoldsTheData()
        {
            string path = DamagedCorpus.ValidFile(_dir.File("a.wsp"), 1);
            Assert.Empty(Check(path).Findings);
            // Change a coarse point of archive 2 older than archive 1's hour: no finer data, so no finding.
            var h = WhisperFile.ReadHeader(path);
            var slots = Slots(path, 2);
            var bytes = File.ReadAllBytes(path);
            long anchor = BigEndian.ReadUInt32(bytes, (int)h.Archives[2].Offset);
            long old = (DamagedCorpus.Now - 3 * 3600) / 600 * 600;
            int idx = (int)((((old - anchor) / 600) % 24 + 24) % 24);
            Assert.Equal((uint)old, BigEndian.ReadUInt32(bytes, (int)h.Archives[2].Offset + 12 * idx));
            BigEndian.WriteDouble(bytes, (int)h.Archives[2].Offset + 12 * idx + 4, 1e9);
            File.WriteAllBytes(path, bytes);
            Assert.Empty(Check(path).Findings);

            // Without Rollups a coarse change is not looked for at all.
            var cases = DamagedCorpus.Build(_dir.File("c"), 3, 7).Where(c => c.Class == "rollup-mismatch");
            Directory.CreateDirectory(_dir.File("c"));
            foreach (var c in cases)
            {
                Assert.Contains(Check(c.Path).Findings, f => f.Code == FindingCodes.RollupMismatch && f.Archive == 1 && f.Slot.HasValue);
                Assert.Empty(Check(c.Path, rollups: false).Findings);
            }
        }

        [Fact]
        public void AGarbageFileListsTenSlotsPerCodeAndCountsTheRest()
        {
            string path = Create(_dir.File("g.wsp"), A(1, 5000));
            var bytes = File.ReadAllBytes(path);
            var rng = new Random(3);
            for (int i = 0; i < 5000; i++) BigEndian.WriteUInt32(bytes, 28 + 12 * i, (uint)(rng.Next(1, int.MaxValue) | 1) * 2 + 1); // odd: never a multiple of... any step > 1? step is 1, so aligned
            File.WriteAllBytes(path, bytes);
            var r = Check(path, false);
            var listed = r.Findings.Where(f => f.Slot.HasValue).GroupBy(f => f.Code).ToList();
            Assert.NotEmpty(listed);
            Assert.All(listed, g => Assert.True(g.Count() <= 10));
            var more = r.Findings.Where(f => !f.Slot.HasValue && f.Archive == 0).ToList();
            Assert.NotEmpty(more);
            Assert.Contains(more, f => f.Message.Contains("more slot(s)"));
            Assert.True(r.Findings.Count < 40, string.Join("\n", r.Findings));
        }

        [Theory]
        [InlineData(1u, uint.MaxValue, FindingCodes.FileTruncated)]        // one archive claiming 4 billion points
        [InlineData(60u, 100_000_000u, FindingCodes.FileTruncated)]
        [InlineData(uint.MaxValue, 1u, FindingCodes.ArchiveCountExcessive)] // 4 billion archives in a 1 KB file
        public void AHostileHeaderCostsNeitherTimeNorMemory(uint countOrStep, uint points, string code)
        {
            string path = _dir.File("h.wsp");
            var b = new byte[1024];
            BigEndian.WriteUInt32(b, 0, 1);
            BigEndian.WriteUInt32(b, 4, countOrStep == uint.MaxValue ? 60 : countOrStep * points);
            BigEndian.WriteSingle(b, 8, 0.5f);
            BigEndian.WriteUInt32(b, 12, countOrStep == uint.MaxValue ? uint.MaxValue : 1);
            BigEndian.WriteUInt32(b, 16, 28);
            BigEndian.WriteUInt32(b, 20, countOrStep == uint.MaxValue ? 60 : countOrStep);
            BigEndian.WriteUInt32(b, 24, points);
            File.WriteAllBytes(path, b);
            Check(path); // warm up
            long before = GC.GetAllocatedBytesForCurrentThread();
            var r = Check(path);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains(r.Findings, f => f.Code == code);
            Assert.False(r.IsValid);
            Assert.True(allocated < 64 * 1024, allocated + " bytes allocated for a 1 KB file");
        }

        [Fact]
        public void LastUpdateIsTheNewestReadablePointNotTheFileTime()
        {
            string path = Create(_dir.File("l.wsp"), A(10, 60), A(60, 60), A(600, 1000));
            using (var f = WhisperFile.Open(path)) Assert.Null(f.ReadLastUpdate());
            // Backfilled: only points three days old, written just now (fresh mtime). They land in archive 2 only.
            long now = DamagedCorpus.Now;
            long old = now - 3 * 86400;
            UpdateMany(path, now, P(old, 1), P(old - 600, 2));
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            using (var f = WhisperFile.Open(path)) Assert.Equal(old / 600 * 600, f.ReadLastUpdate());
            // A newer point in the finest archive wins.
            UpdateMany(path, now, P(now - 25, 3));
            using (var f = WhisperFile.Open(path)) Assert.Equal((now - 25) / 10 * 10, f.ReadLastUpdate());
            // A bigger timestamp no read can return (misaligned) does not count.
            var bytes = File.ReadAllBytes(path);
            BigEndian.WriteUInt32(bytes, 52 + 12 * 7, (uint)(now + 5));
            File.WriteAllBytes(path, bytes);
            using (var f = WhisperFile.Open(path)) Assert.Equal((now - 25) / 10 * 10, f.ReadLastUpdate());
        }
    }
}
