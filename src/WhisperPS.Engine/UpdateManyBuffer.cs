using System;
using System.Collections.Generic;

namespace WhisperPS.Engine
{
    /// <summary>Where update_many puts one point, by its age against the call's now.</summary>
    public enum PointFate
    {
        /// <summary>Within an archive's retention: written.</summary>
        Stored,

        /// <summary>Newer than now: whisper writes it into the finest archive, where no read (which stops at now)
        /// shows it until the clock reaches it.</summary>
        Future,

        /// <summary>Older than the coarsest archive's retention: whisper drops it.</summary>
        NotCovered,
    }

    /// <summary>
    /// The points of one update_many call into one file, reduced as they arrive to what whisper would write, so a
    /// call of any number of points costs memory bounded by the file's slots instead of by the points.
    /// <para>
    /// whisper's update_many sorts the points newest first, hands each to the finest archive whose retention covers
    /// its age (points in the future to archive 0), aligns each archive's points to its step and writes only the
    /// last point of each run of equal intervals: the latest timestamp, and for equal timestamps the one given first.
    /// Everything after that (the contiguous runs, the anchor, the coarse intervals propagated and their set order)
    /// depends only on those winners, so keeping one point per archive and interval, chosen by the same rule, and
    /// passing the winners to <see cref="WhisperFile.UpdateMany"/> in one call gives the same bytes as passing all
    /// points. Past points are bounded by each archive's slots; points in the future keep one entry per distinct
    /// future interval of archive 0, which callers report.
    /// </para>
    /// </summary>
    public sealed class UpdateManyBuffer
    {
        private readonly long[] _retentions;
        private readonly long[] _steps;
        private readonly Dictionary<long, Point>[] _winners;

        /// <summary>Buffers for a file with this header, against this now (one now for the whole call).</summary>
        public UpdateManyBuffer(WhisperHeader header, long now)
        {
            if (header == null) throw new ArgumentNullException(nameof(header));
            Now = now;
            int n = header.Archives.Count;
            _retentions = new long[n];
            _steps = new long[n];
            _winners = new Dictionary<long, Point>[n];
            for (int k = 0; k < n; k++)
            {
                _retentions[k] = header.Archives[k].Retention;
                _steps[k] = header.Archives[k].SecondsPerPoint;
                _winners[k] = new Dictionary<long, Point>();
            }
        }

        /// <summary>The coarsest archive's retention: older points are not covered.</summary>
        public long MaxRetention => _retentions[_retentions.Length - 1];

        /// <summary>The call's now.</summary>
        public long Now { get; }

        /// <summary>Points taken (stored or future), duplicates within a slot included.</summary>
        public long Accepted { get; private set; }

        /// <summary>Points newer than <see cref="Now"/>, and the newest of them.</summary>
        public long FutureCount { get; private set; }

        public long NewestFuture { get; private set; }

        /// <summary>Points kept: what will be handed to update_many.</summary>
        public int Count
        {
            get
            {
                int c = 0;
                foreach (var d in _winners) c += d.Count;
                return c;
            }
        }

        /// <summary>Takes one point (timestamp within whisper's uint32 range) and says where it goes.</summary>
        public PointFate Add(long timestamp, double value)
        {
            long age = Now - timestamp;
            int k = 0;
            while (k < _retentions.Length && _retentions[k] < age) k++;
            if (k == _retentions.Length) return PointFate.NotCovered;

            Accepted++;
            long interval = timestamp - PyMath.FloorMod(timestamp, _steps[k]);
            var bucket = _winners[k];
            // The latest timestamp of an interval wins; for equal timestamps the first given stays.
            if (!bucket.TryGetValue(interval, out var kept) || timestamp > kept.Timestamp)
                bucket[interval] = new Point(timestamp, value);

            if (age >= 0) return PointFate.Stored;
            if (FutureCount == 0 || timestamp > NewestFuture) NewestFuture = timestamp;
            FutureCount++;
            return PointFate.Future;
        }

        /// <summary>Whether a file's header still buckets points as the one this buffer was made for.</summary>
        public bool Fits(WhisperHeader header)
        {
            if (header == null || header.Archives.Count != _retentions.Length) return false;
            for (int k = 0; k < _retentions.Length; k++)
                if (header.Archives[k].Retention != _retentions[k] || header.Archives[k].SecondsPerPoint != _steps[k]) return false;
            return true;
        }

        /// <summary>The kept points, finest archive first (update_many sorts them itself).</summary>
        public List<Point> ToList()
        {
            var list = new List<Point>(Count);
            foreach (var d in _winners) list.AddRange(d.Values);
            return list;
        }

        /// <summary>Forgets every point, keeping the layout and now.</summary>
        public void Clear()
        {
            foreach (var d in _winners) d.Clear();
            Accepted = 0;
            FutureCount = 0;
            NewestFuture = 0;
        }
    }
}
