using System;

namespace WhisperPS.Engine
{
    /// <summary>The raw slots of one archive in file order: what is stored, before any fetch logic.</summary>
    public sealed class RawSlots
    {
        internal RawSlots(int archive, ArchiveInfo info, long[] timestamps, double[] values)
        {
            Archive = archive;
            Info = info;
            Timestamps = timestamps;
            Values = values;
        }

        /// <summary>Archive index, 0 the finest.</summary>
        public int Archive { get; }

        public ArchiveInfo Info { get; }

        /// <summary>The timestamp stored in each slot (0 in a slot never written).</summary>
        public long[] Timestamps { get; }

        /// <summary>The value stored in each slot, whatever its timestamp.</summary>
        public double[] Values { get; }

        /// <summary>Slot 0's timestamp: the anchor whisper places every other interval from (0 = empty archive).</summary>
        public long Anchor => Timestamps.Length > 0 ? Timestamps[0] : 0;
    }

    public sealed partial class WhisperFile
    {
        /// <summary>
        /// Every slot of an archive as stored (whisper-dump): index order, stored timestamp, stored value. Nothing is
        /// filtered: old laps, empty slots and misplaced points all appear. Memory: 16 bytes a slot.
        /// </summary>
        public RawSlots ReadRawSlots(int archive)
        {
            if (archive < 0 || archive >= Header.Archives.Count)
                throw new ArgumentOutOfRangeException(nameof(archive), archive, "The file has archives 0 to " + (Header.Archives.Count - 1) + WhisperException.FileSuffix(Path));
            var a = Header.Archives[archive];
            var ts = new long[a.Points];
            var values = new double[a.Points];
            ForEachChunk(a, (buffer, first, count) =>
            {
                for (int i = 0; i < count; i++)
                {
                    ts[first + i] = BigEndian.ReadUInt32(buffer, i * Point.Size);
                    values[first + i] = BigEndian.ReadDouble(buffer, i * Point.Size + 4);
                }
            });
            return new RawSlots(archive, a, ts, values);
        }

        /// <summary>
        /// The newest point a fetch can read back from any archive, in Unix seconds, or null when the file holds
        /// none. A slot counts when its archive is anchored (slot 0 not empty) and it holds a timestamp aligned to the
        /// step at the ring position the anchor gives that timestamp: exactly the slots whisper's fetch returns for
        /// some range. Points dated after now count too (they are stored; Test-WhisperFile reports them).
        /// Cost: one sequential read of the data area in 256 KB chunks, 4 bytes decoded per slot; the ring check runs
        /// only for a slot newer than the best so far. Reading the data, not mtime: a backfilled file is judged by
        /// the time of its points, not of the write.
        /// </summary>
        public long? ReadLastUpdate()
        {
            long best = 0;
            bool found = false;
            for (int i = 0; i < Header.Archives.Count; i++)
            {
                var a = Header.Archives[i];
                long step = a.SecondsPerPoint;
                long anchor = -1;
                ForEachChunk(a, (buffer, first, count) =>
                {
                    if (anchor < 0) anchor = BigEndian.ReadUInt32(buffer, 0);
                    if (anchor == 0) return;
                    for (int j = 0; j < count; j++)
                    {
                        long t = BigEndian.ReadUInt32(buffer, j * Point.Size);
                        if (t <= best) continue; // 0 (empty) never counts
                        if (t % step != 0 || a.SlotOffset(t, anchor) != a.Offset + (first + j) * (long)Point.Size) continue;
                        best = t;
                        found = true;
                    }
                });
            }
            return found ? best : (long?)null;
        }

        /// <summary>Hands an archive's slots to <paramref name="take"/> in file order, 256 KB at a time (buffer,
        /// index of its first slot, slots in it).</summary>
        internal void ForEachChunk(ArchiveInfo a, Action<byte[], long, int> take)
        {
            const int Chunk = (1 << 18) - (1 << 18) % Point.Size;
            long done = 0;
            while (done < a.Points)
            {
                int slots = (int)Math.Min(Chunk / Point.Size, a.Points - done);
                var buffer = Scratch.Read(slots * Point.Size);
                ReadRange(a.Offset + done * Point.Size, buffer, 0, slots * Point.Size);
                take(buffer, done, slots);
                done += slots;
            }
        }
    }
}

namespace WhisperPS.Engine
{
    public sealed partial class WhisperFile
    {
        /// <summary>One archive's slots for (from, until] as whisper's __archive_fetch gives them (no range checks
        /// against now or retention): the comparison's read.</summary>
        internal FetchResult FetchArchiveRaw(int archive, long fromTime, long untilTime)
        {
            BeginCall();
            return FetchArchive(archive, fromTime, untilTime);
        }
    }
}
