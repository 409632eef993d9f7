using System;
using System.Collections.Generic;
using WhisperPS.Engine.Fill;
using Xunit;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// The fill's write-back, stopped after every one of its writes (what a kill leaves: a write is stopped only
    /// between pages, so each recorded write is applied whole or cut at a page boundary): every slot it touches shows
    /// its old value or its new one. The one exception is a replaced rollup whose value straddles a 4 KB page; it is
    /// hidden between the passes rather than risk a torn value. FillKillTests does the same with real kills.
    /// </summary>
    public sealed class FillWriteOrderTests
    {
        private const long Step = 60;

        [Fact]
        public void EveryPrefixOfTheWritesShowsEachSlotOldOrNew()
        {
            // An archive at an offset that puts some values across 4 KB boundaries: 40 + 12k + 4 crosses 4096 for some k.
            const long offset = 40, points = 3000; // offset 16 + 12 × 2, as in a two-archive file
            var info = new ArchiveInfo(offset, Step, points);
            long baseInterval = 1_600_000_020 - 1_600_000_020 % Step;
            var raw = new byte[points * 12];
            var old = new Dictionary<long, double>();
            for (long k = 0; k < points; k++)
            {
                if (k % 3 == 0) continue; // empty slots to fill
                long t = baseInterval + k * Step;
                Point.Encode(raw, (int)(k * 12), t, k);
                old[t] = k;
            }
            var image = new ArchiveImage(info, (byte[])raw.Clone(), baseInterval + (points - 1) * Step);
            var wanted = new Dictionary<long, double>(old);
            int straddling = 0;
            for (long k = 0; k < points; k++)
            {
                long t = baseInterval + k * Step;
                bool known = old.ContainsKey(t);
                bool straddles = ArchiveImage.ValueStraddlesPage(offset + k * 12);
                if (k % 3 == 0 || k % 5 == 0 || straddles) { image.Set(t, -k, known); wanted[t] = -k; }
                if (known && straddles) straddling++;
            }
            Assert.True(straddling > 0, "the layout must include a replaced slot whose value straddles a page");

            var file = new byte[offset + raw.Length];
            Buffer.BlockCopy(raw, 0, file, (int)offset, raw.Length);
            var writes = new List<(long Offset, byte[] Bytes)>();
            image.WriteBack((at, buffer, index, count) =>
            {
                var copy = new byte[count];
                Buffer.BlockCopy(buffer, index, copy, 0, count);
                writes.Add((at, copy));
            }, null);

            int hidden = 0;
            for (int done = 0; done <= writes.Count; done++)
            {
                var state = (byte[])file.Clone();
                for (int w = 0; w < done; w++) Buffer.BlockCopy(writes[w].Bytes, 0, state, (int)writes[w].Offset, writes[w].Bytes.Length);
                for (long k = 0; k < points; k++)
                {
                    long t = baseInterval + k * Step;
                    int at = (int)(offset + k * 12);
                    bool has = BigEndian.ReadUInt32(state, at) == t;
                    double v = has ? BigEndian.ReadDouble(state, at + 4) : double.NaN;
                    bool isOld = old.TryGetValue(t, out double o) ? has && v == o : !has;
                    bool isNew = wanted.TryGetValue(t, out double n) ? has && v == n : !has;
                    if (!has && old.ContainsKey(t) && ArchiveImage.ValueStraddlesPage(offset + k * 12)) { hidden++; continue; }
                    Assert.True(isOld || isNew, "after " + done + " of " + writes.Count + " writes slot " + k + " shows " +
                        (has ? v.ToString("R") : "nothing") + " (old " + (old.ContainsKey(t) ? o.ToString("R") : "nothing") + ", new " + n.ToString("R") + ")");
                }
            }
            Assert.True(hidden > 0, "the straddling slots are hidden between the passes");
        }
    }
}
