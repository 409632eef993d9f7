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
                    "' is after until time '" + until.ToString(CultureInfo.InvariantCulture) + "'");

            long oldest = n - Header.MaxRetention;
            if (from > n || until < oldest) return null;
            if (from < oldest) from = oldest;
            if (until > n) until = n;

            return FetchArchive(SelectArchive(n - from, secondsPerPoint), from, until);
        }

        private ArchiveInfo SelectArchive(long age, long? secondsPerPoint)
        {
            foreach (var a in Header.Archives)
            {
                if (secondsPerPoint.HasValue && secondsPerPoint.Value != 0)
                {
                    if (a.SecondsPerPoint == secondsPerPoint.Value) return a;
                }
                else if (a.Retention >= age)
                {
                    return a;
                }
            }
            if (secondsPerPoint.HasValue && secondsPerPoint.Value != 0)
                throw new ArgumentException("Invalid granularity: " + secondsPerPoint.Value + ". The archives of '" + Path +
                    "' have steps of " + string.Join(", ", Array.ConvertAll(ToArray(Header), a => a.SecondsPerPoint + "s")) + ".",
                    nameof(secondsPerPoint));
            return Header.Archives[Header.Archives.Count - 1];
        }

        private static ArchiveInfo[] ToArray(WhisperHeader h)
        {
            var a = new ArchiveInfo[h.Archives.Count];
            for (int i = 0; i < a.Length; i++) a[i] = h.Archives[i];
            return a;
        }

        /// <summary>
        /// whisper's __archive_fetch: no range checks, so a range longer than the archive wraps and returns fewer
        /// values than the range has steps, exactly as whisper does.
        /// </summary>
        internal FetchResult FetchArchive(ArchiveInfo archive, long fromTime, long untilTime)
        {
            long step = archive.SecondsPerPoint;
            long fromInterval = PyMath.Align(fromTime, step) + step;
            long untilInterval = PyMath.Align(untilTime, step) + step;
            if (fromInterval == untilInterval) untilInterval += step; // a zero-length range still returns one slot

            long baseInterval = ReadBaseInterval(archive);
            if (baseInterval == 0)
                return new FetchResult(archive, fromInterval, untilInterval, step,
                    new double?[PyMath.FloorDiv(untilInterval - fromInterval, step)]);

            long fromOffset = archive.SlotOffset(fromInterval, baseInterval);
            long untilOffset = archive.SlotOffset(untilInterval, baseInterval);
            byte[] data;
            if (fromOffset < untilOffset)
            {
                data = new byte[untilOffset - fromOffset];
                ReadRange(fromOffset, data, 0, data.Length);
            }
            else
            {
                int head = (int)(archive.End - fromOffset);
                data = new byte[head + (untilOffset - archive.Offset)];
                ReadRange(fromOffset, data, 0, head);
                ReadRange(archive.Offset, data, head, data.Length - head);
            }

            int count = data.Length / Point.Size;
            var values = new double?[count];
            long expected = fromInterval;
            for (int i = 0; i < count; i++, expected += step)
            {
                int p = i * Point.Size;
                if (BigEndian.ReadUInt32(data, p) == expected)
                    values[i] = BigEndian.ReadDouble(data, p + 4);
            }
            return new FetchResult(archive, fromInterval, untilInterval, step, values);
        }
    }
}
