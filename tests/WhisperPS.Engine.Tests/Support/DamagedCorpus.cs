using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WhisperPS.Engine.Validation;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests.Support
{
    /// <summary>
    /// Damaged whisper files, one folder per class of damage, each class with the finding Test-WhisperFile must
    /// report. The classes cover FuzzHeaderTests' mutations (truncation, boundary header fields, absurd counts,
    /// swapped entries, garbage slots, trailing bytes, not whisper at all) and the damage find-corrupt-whisper-files
    /// misses. Every file starts from a valid file written by the engine (byte-identical with whisper) at
    /// <see cref="Now"/>.
    /// </summary>
    public static class DamagedCorpus
    {
        public const long Now = 1_700_000_000;

        public sealed class Case
        {
            public string Class;
            public string Path;
            public string Expected;
            public bool Corrupt; // an Error (IsValid false) is expected, not only a warning
        }

        // archive 0: 10s x 60 at offset 52, archive 1: 60s x 60 at 772, archive 2: 600s x 24 at 1492; 1780 bytes.
        private static readonly ArchiveSpec[] Schema = { A(10, 60), A(60, 60), A(600, 24) };

        public static string ValidFile(string path, int seed, AggregationMethod method = AggregationMethod.Average)
        {
            Create(path, 0.5, method, Schema);
            var rng = new Random(seed);
            // Four hours of 10-second points, 80% present, written five minutes at a time as carbon would (one
            // update_many of all of them lets whisper's own archive-1 write of the oldest points clobber the newest slot).
            for (long batchEnd = Now - 4 * 3600 + 300; batchEnd <= Now; batchEnd += 300)
            {
                var points = Enumerable.Range(0, 30).Where(_ => rng.Next(10) < 8)
                    .Select(i => P(batchEnd - i * 10, Math.Round(rng.NextDouble() * 1000, 2))).ToArray();
                if (points.Length > 0) UpdateMany(path, batchEnd, points);
            }
            return path;
        }

        private static void PutU32(byte[] b, int at, uint v) => BigEndian.WriteUInt32(b, at, v);

        private static int ArchiveEntry(int i) => 16 + 12 * i;

        /// <summary>(class, expected code, whether an Error, mutation of the valid bytes).</summary>
        public static IEnumerable<(string Class, string Code, bool Corrupt, Func<byte[], Random, byte[]> Mutate)> Classes()
        {
            yield return ("valid", null, false, (b, r) => b);
            yield return ("empty-file", FindingCodes.FileTooShort, true, (b, r) => new byte[0]);
            yield return ("shorter-than-metadata", FindingCodes.FileTooShort, true, (b, r) => b.Take(r.Next(1, 16)).ToArray());
            yield return ("truncated-in-archive-table", FindingCodes.FileTruncated, true, (b, r) => b.Take(r.Next(16, 52)).ToArray());
            yield return ("truncated-last-slots", FindingCodes.FileTruncated, true, (b, r) => b.Take(b.Length - r.Next(1, 12 * 5)).ToArray());
            yield return ("half-truncated", FindingCodes.FileTruncated, true, (b, r) => b.Take(b.Length / 2).ToArray());
            yield return ("header-damaged-and-truncated", FindingCodes.FileTruncated, true, (b, r) =>
            {
                var c = b.Take(b.Length - 100).ToArray();
                PutU32(c, 4, 12345);
                return c;
            });
            yield return ("not-whisper", FindingCodes.AggregationUnknown, true, (b, r) =>
                System.Text.Encoding.ASCII.GetBytes("<html><body>" + new string('x', r.Next(100, 3000)) + "</body></html>"));
            yield return ("zero-archives", FindingCodes.ArchiveCountZero, true, (b, r) => { PutU32(b, 12, 0); return b; });
            yield return ("archive-count-huge", FindingCodes.ArchiveCountExcessive, true, (b, r) => { PutU32(b, 12, (uint)r.Next(1000, int.MaxValue)); return b; });
            yield return ("archive-count-too-many", FindingCodes.ArchiveCountExcessive, true, (b, r) => { PutU32(b, 12, 80); return b; });
            yield return ("aggregation-unknown", FindingCodes.AggregationUnknown, true, (b, r) => { PutU32(b, 0, r.Next(2) == 0 ? 0u : (uint)r.Next(9, 1000)); return b; });
            yield return ("aggregation-go-carbon-unreadable", FindingCodes.AggregationNotGoCarbon, false, (b, r) => { PutU32(b, 0, (uint)r.Next(6, 9)); return b; });
            yield return ("xff-invalid", FindingCodes.XFilesFactorInvalid, true, (b, r) =>
            {
                BigEndian.WriteSingle(b, 8, new[] { float.NaN, 1.5f, -0.25f, float.PositiveInfinity }[r.Next(4)]);
                return b;
            });
            yield return ("wrong-max-retention", FindingCodes.MaxRetentionMismatch, true, (b, r) => { PutU32(b, 4, (uint)(14400 + r.Next(1, 100000))); return b; });
            yield return ("zero-step", FindingCodes.ArchiveStepZero, true, (b, r) => { PutU32(b, ArchiveEntry(r.Next(3)) + 4, 0); return b; });
            yield return ("zero-points", FindingCodes.ArchivePointsZero, true, (b, r) => { PutU32(b, ArchiveEntry(r.Next(3)) + 8, 0); return b; });
            yield return ("offset-into-another-archive", FindingCodes.ArchiveOffsetMismatch, true, (b, r) =>
            {
                int i = r.Next(1, 3);
                PutU32(b, ArchiveEntry(i), (uint)(52 + 12 * r.Next(0, 60 * i))); // somewhere inside an earlier archive
                return b;
            });
            yield return ("offset-gap", FindingCodes.ArchiveOffsetMismatch, true, (b, r) =>
            {
                int i = r.Next(0, 3);
                uint o = BigEndian.ReadUInt32(b, ArchiveEntry(i));
                PutU32(b, ArchiveEntry(i), o + 12 * (uint)r.Next(1, 4));
                return b;
            });
            yield return ("archives-swapped", FindingCodes.ArchiveOrder, true, (b, r) =>
            {
                int i = r.Next(0, 2);
                var e = b.Skip(ArchiveEntry(i)).Take(12).ToArray();
                Array.Copy(b, ArchiveEntry(i + 1), b, ArchiveEntry(i), 12);
                Array.Copy(e, 0, b, ArchiveEntry(i + 1), 12);
                return b;
            });
            yield return ("step-not-multiple", FindingCodes.ArchiveStepNotMultiple, true, (b, r) => { PutU32(b, ArchiveEntry(1) + 4, 45); return b; });
            yield return ("trailing-bytes", FindingCodes.FileTooLong, false, (b, r) => b.Concat(new byte[r.Next(1, 5000)]).ToArray());
            yield return ("garbage-slots", FindingCodes.SlotMisaligned, true, (b, r) =>
            {
                // Random bytes over part of archive 0: random timestamps are misaligned nine times in ten.
                int from = 52 + 12 * r.Next(1, 30);
                for (int i = from; i < from + 12 * 20; i++) b[i] = (byte)r.Next(256);
                return b;
            });
            yield return ("misaligned-slot", FindingCodes.SlotMisaligned, true, (b, r) =>
            {
                int slot = SlotWithData(b, 52, 60, r);
                PutU32(b, 52 + 12 * slot, BigEndian.ReadUInt32(b, 52 + 12 * slot) + (uint)r.Next(1, 10));
                return b;
            });
            yield return ("slot-out-of-place", FindingCodes.SlotOutOfPlace, true, (b, r) =>
            {
                // Copy one slot over another: the timestamp now sits where the anchor does not put it.
                int from = SlotWithData(b, 772, 60, r), to = (from + r.Next(1, 59)) % 60;
                if (to == 0) to = 1;
                Array.Copy(b, 772 + 12 * from, b, 772 + 12 * to, 12);
                return b;
            });
            yield return ("slot-without-anchor", FindingCodes.SlotWithoutAnchor, true, (b, r) =>
            {
                Array.Clear(b, 52, 12); // slot 0 of archive 0 emptied: the archive reads as empty
                return b;
            });
            yield return ("future-lap-slot", FindingCodes.SlotFutureLap, true, (b, r) =>
            {
                // A timestamp one or more laps after the newest point, at the position the ring gives it.
                int slot = SlotWithData(b, 52, 60, r);
                PutU32(b, 52 + 12 * slot, (uint)(NewestAt(b, 52, 60, slot) + 600 * r.Next(2, 5)));
                return b;
            });
            yield return ("future-slot", FindingCodes.SlotInFuture, false, (b, r) =>
            {
                long t = Now + 10 * r.Next(1, 50);
                PutU32(b, 52 + 12 * SlotOf(b, 52, 60, t), (uint)t);
                return b;
            });
            yield return ("rollup-mismatch", FindingCodes.RollupMismatch, false, (b, r) =>
            {
                // A coarse value inside the fine archive's window changed behind whisper's back.
                long newest = Newest(b, 52, 60);
                long t = (newest - 200) / 60 * 60;
                int slot = SlotOf(b, 772, 60, t);
                while (BigEndian.ReadUInt32(b, 772 + 12 * slot) != t)
                {
                    t -= 60;
                    slot = SlotOf(b, 772, 60, t);
                }
                BigEndian.WriteDouble(b, 772 + 12 * slot + 4, -1 - r.Next(100));
                return b;
            });
        }

        private static int SlotWithData(byte[] b, int offset, int points, Random r)
        {
            for (int tries = 0; ; tries++)
            {
                int s = r.Next(1, points);
                if (BigEndian.ReadUInt32(b, offset + 12 * s) != 0 || tries > 1000) return s;
            }
        }

        private static long Newest(byte[] b, int offset, int points)
        {
            long n = 0;
            for (int i = 0; i < points; i++) n = Math.Max(n, BigEndian.ReadUInt32(b, offset + 12 * i));
            return n;
        }

        private static long NewestAt(byte[] b, int offset, int points, int slot)
        {
            // The timestamp of the current lap at this slot, from the anchor.
            long anchor = BigEndian.ReadUInt32(b, offset);
            long newest = Newest(b, offset, points);
            long step = 10, ret = step * points;
            long t = anchor + slot * step;
            while (t + ret <= newest) t += ret;
            return t;
        }

        private static int SlotOf(byte[] b, int offset, int points, long t)
        {
            long anchor = BigEndian.ReadUInt32(b, offset);
            long step = offset == 52 ? 10 : offset == 772 ? 60 : 600;
            return (int)((((t - anchor) / step) % points + points) % points);
        }

        /// <summary>Builds <paramref name="perClass"/> files of every class under <paramref name="root"/>/&lt;class&gt;/.</summary>
        public static List<Case> Build(string root, int perClass, int seed)
        {
            var cases = new List<Case>();
            var rng = new Random(seed);
            string valid = System.IO.Path.Combine(root, "valid-template.bin");
            foreach (var (cls, code, corrupt, mutate) in Classes())
            {
                string dir = System.IO.Path.Combine(root, cls);
                Directory.CreateDirectory(dir);
                for (int i = 0; i < perClass; i++)
                {
                    ValidFile(valid, rng.Next());
                    var bytes = File.ReadAllBytes(valid);
                    File.Delete(valid);
                    string path = System.IO.Path.Combine(dir, cls + "-" + i + ".wsp");
                    File.WriteAllBytes(path, mutate(bytes, rng));
                    cases.Add(new Case { Class = cls, Path = path, Expected = code, Corrupt = corrupt });
                }
            }
            return cases;
        }
    }
}
