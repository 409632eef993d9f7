using System;
using System.Globalization;

namespace WhisperPS.Engine
{
    public sealed partial class WhisperFile
    {
        /// <summary>
        /// whisper's fetch(): values covering (from, until], from the finest archive whose retention reaches back
        /// to <paramref name="fromTime"/> (now - from, as whisper chooses), or the archive with the given seconds
        /// per point. Returns null when the whole range is in the future or older than the file's retention.
        /// </summary>
        public FetchResult Fetch(long fromTime, long? untilTime = null, long? now = null, long? secondsPerPoint = null)
        {
            long n = now ?? Clock.UnixNow();
            long until = untilTime ?? n;
            long from = fromTime;
            if (from > until)
                throw new InvalidTimeIntervalException("Invalid time interval: from time '" + from.ToString(CultureInfo.InvariantCulture) +
                    "' is after until time '" + until.ToString(CultureInfo.InvariantCulture) + "'" + WhisperException.FileSuffix(Path));

            long oldest = n - Header.MaxRetention;
            if (from > n || until < oldest) return null;
            if (from < oldest) from = oldest;
            if (until > n) until = n;

            BeginCall();
            return FetchArchive(SelectArchive(n - from, secondsPerPoint), from, until);
        }

        private int SelectArchive(long age, long? secondsPerPoint)
        {
            for (int i = 0; i < Header.Archives.Count; i++)
            {
                var a = Header.Archives[i];
                if (secondsPerPoint.HasValue && secondsPerPoint.Value != 0)
                {
                    if (a.SecondsPerPoint == secondsPerPoint.Value) return i;
                }
                else if (a.Retention >= age)
                {
                    return i;
                }
            }
            if (secondsPerPoint.HasValue && secondsPerPoint.Value != 0)
                throw new ArgumentException("Invalid granularity: " + secondsPerPoint.Value + ". The archives of '" + Path +
                    "' have steps of " + string.Join(", ", Array.ConvertAll(ToArray(Header), a => a.SecondsPerPoint + "s")) + ".",
                    nameof(secondsPerPoint));
            return Header.Archives.Count - 1;
        }

        private static ArchiveInfo[] ToArray(WhisperHeader h)
        {
            var a = new ArchiveInfo[h.Archives.Count];
            for (int i = 0; i < a.Length; i++) a[i] = h.Archives[i];
            return a;
        }

        /// <summary>
        /// whisper's __archive_fetch: no range checks, so a range longer than the archive wraps and returns fewer
        /// values than the range has steps, exactly as whisper does. One read (two if the range wraps round the
        /// ring end) into a reused buffer; the result array is the only allocation that grows with the range.
        /// </summary>
        internal FetchResult FetchArchive(int archiveIndex, long fromTime, long untilTime)
        {
            var archive = Header.Archives[archiveIndex];
            long step = archive.SecondsPerPoint;
            long fromInterval = PyMath.Align(fromTime, step) + step;
            long untilInterval = PyMath.Align(untilTime, step) + step;
            if (fromInterval == untilInterval) untilInterval += step; // a zero-length range still returns one slot

            long baseInterval = GetBase(archiveIndex);
            if (baseInterval == 0)
                return new FetchResult(archive, fromInterval, untilInterval, step,
                    checked((int)PyMath.FloorDiv(untilInterval - fromInterval, step)));

            int slots = RangeSlots(archive, fromInterval, untilInterval, baseInterval);
            var sink = new ValueSink { Result = new FetchResult(archive, fromInterval, untilInterval, step, slots) };
            ReadSlots(archive, fromInterval, untilInterval, baseInterval, ref sink, slots);
            return sink.Result;
        }

        // Slots whisper reads for [fromInterval, untilInterval): the ring distance between the two offsets.
        private static int RangeSlots(ArchiveInfo archive, long fromInterval, long untilInterval, long baseInterval)
        {
            long fromOffset = archive.SlotOffset(fromInterval, baseInterval);
            long untilOffset = archive.SlotOffset(untilInterval, baseInterval);
            long bytes = fromOffset < untilOffset ? untilOffset - fromOffset : archive.End - fromOffset + (untilOffset - archive.Offset);
            return (int)(bytes / Point.Size);
        }

        /// <summary>
        /// The known points of an archive's range, as whisper's merge takes them: (fromInterval + i * step, value)
        /// for each slot i holding its expected interval, i limited to the range's step count.
        /// </summary>
        internal int ReadKnownPoints(int archiveIndex, long fromTime, long untilTime, out long[] timestamps, out double[] values)
        {
            var archive = Header.Archives[archiveIndex];
            long step = archive.SecondsPerPoint;
            long fromInterval = PyMath.Align(fromTime, step) + step;
            long untilInterval = PyMath.Align(untilTime, step) + step;
            if (fromInterval == untilInterval) untilInterval += step;
            timestamps = null;
            values = null;
            long baseInterval = GetBase(archiveIndex);
            if (baseInterval == 0) return 0;
            int slots = RangeSlots(archive, fromInterval, untilInterval, baseInterval);
            long steps = PyMath.FloorDiv(untilInterval - fromInterval, step);
            int limit = (int)Math.Min(steps, slots);
            var sink = new PointSink { Timestamps = new long[limit], Values = new double[limit], Limit = limit };
            ReadSlots(archive, fromInterval, untilInterval, baseInterval, ref sink, limit);
            timestamps = sink.Timestamps;
            values = sink.Values;
            return sink.Count;
        }

        // Struct sinks: the JIT specialises ReadSlots for each, so handing over a block costs no virtual call.
        private unsafe interface ISlotSink
        {
            /// <summary><paramref name="slots"/> raw slots for indexes from <paramref name="index"/> on, the first
            /// expected to hold <paramref name="expected"/>, each next one a step later.</summary>
            void Take(byte* p, int index, int slots, long expected, long step);
        }

        private struct ValueSink : ISlotSink
        {
            public FetchResult Result;

            public unsafe void Take(byte* p, int index, int slots, long expected, long step) => Result.Decode(p, index, slots, expected);
        }

        private struct PointSink : ISlotSink
        {
            public long[] Timestamps;
            public double[] Values;
            public int Limit, Count;

            public unsafe void Take(byte* p, int index, int slots, long expected, long step)
            {
                for (int end = Math.Min(Limit, index + slots); index < end; index++, p += Point.Size, expected += step)
                {
                    if (BigEndian.ReadUInt32(p) != expected) continue;
                    Timestamps[Count] = expected;
                    Values[Count] = BigEndian.ReadDouble(p + 4);
                    Count++;
                }
            }
        }

        // Reads the range's slots with as few reads as the ring allows and hands each block read, with the interval
        // its first slot should hold, to the sink. Ranges larger than the reused buffer are read in large chunks.
        private unsafe void ReadSlots<TSink>(ArchiveInfo archive, long fromInterval, long untilInterval, long baseInterval, ref TSink sink, int wanted)
            where TSink : struct, ISlotSink
        {
            long step = archive.SecondsPerPoint;
            long fromOffset = archive.SlotOffset(fromInterval, baseInterval);
            long untilOffset = archive.SlotOffset(untilInterval, baseInterval);
            // The two pieces of the range in file order: [fromOffset, end) and [Offset, untilOffset) when it wraps.
            long firstEnd = fromOffset < untilOffset ? untilOffset : archive.End;
            long secondBytes = fromOffset < untilOffset ? 0 : untilOffset - archive.Offset;
            const int Chunk = 1 << 18; // 256 KB reads: a day of 10-second slots in one, and few syscalls for a year
            int index = 0;
            long expected = fromInterval;
            for (int piece = 0; piece < 2; piece++)
            {
                long offset = piece == 0 ? fromOffset : archive.Offset;
                long bytes = piece == 0 ? firstEnd - fromOffset : secondBytes;
                while (bytes > 0 && index < wanted)
                {
                    int n = (int)Math.Min(bytes, Chunk - Chunk % Point.Size);
                    var buffer = Scratch.Read(n);
                    ReadRange(offset, buffer, 0, n);
                    int slots = Math.Min(n / Point.Size, wanted - index);
                    fixed (byte* p = buffer)
                        sink.Take(p, index, slots, expected, step);
                    index += slots;
                    expected += slots * step;
                    offset += n;
                    bytes -= n;
                }
            }
        }
    }
}
