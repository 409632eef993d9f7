using System;
using System.Collections.Generic;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine.Comparison
{
    /// <summary>What to compare: the range and clock, and whether a slot empty on one side counts.</summary>
    public sealed class ComparisonOptions
    {
        /// <summary>Unix seconds; slots after it are compared (exclusive, as fetch's from). Default: each
        /// archive's own window start.</summary>
        public long? From { get; set; }

        /// <summary>Unix seconds; slots up to it are compared. Default: now.</summary>
        public long? Until { get; set; }

        /// <summary>Unix seconds the archive windows are measured from. Default: the clock.</summary>
        public long? Now { get; set; }

        /// <summary>Skip slots that hold a value on one side only (whisper-diff --ignore-empty).</summary>
        public bool IgnoreEmpty { get; set; }
    }

    /// <summary>How a slot differs.</summary>
    public enum DifferenceKind
    {
        /// <summary>Both files hold a point for the slot, with different values.</summary>
        Value,

        /// <summary>Only the reference file holds a point for the slot.</summary>
        OnlyInReference,

        /// <summary>Only the difference file holds a point for the slot.</summary>
        OnlyInDifference,
    }

    /// <summary>One slot whose contents differ between the two files.</summary>
    public sealed class WhisperDifference
    {
        public WhisperDifference(int archive, int differenceArchive, long secondsPerPoint, long timestamp,
            double? referenceValue, double? differenceValue)
        {
            Archive = archive;
            DifferenceArchive = differenceArchive;
            SecondsPerPoint = secondsPerPoint;
            Timestamp = timestamp;
            ReferenceValue = referenceValue;
            DifferenceValue = differenceValue;
            Kind = !referenceValue.HasValue ? DifferenceKind.OnlyInDifference
                : !differenceValue.HasValue ? DifferenceKind.OnlyInReference : DifferenceKind.Value;
        }

        /// <summary>Archive index in the reference file.</summary>
        public int Archive { get; }

        /// <summary>Archive index in the difference file (the same unless the schemas differ).</summary>
        public int DifferenceArchive { get; }

        public long SecondsPerPoint { get; }

        /// <summary>Unix seconds of the slot.</summary>
        public long Timestamp { get; }

        /// <summary>null when the reference holds no point for the slot.</summary>
        public double? ReferenceValue { get; }

        /// <summary>null when the difference file holds no point for the slot.</summary>
        public double? DifferenceValue { get; }

        public DifferenceKind Kind { get; }
    }

    /// <summary>The counts for one resolution both files have.</summary>
    public sealed class ArchiveComparison
    {
        internal ArchiveComparison(int archive, int differenceArchive, long secondsPerPoint, long fromInterval, long untilInterval)
        {
            Archive = archive;
            DifferenceArchive = differenceArchive;
            SecondsPerPoint = secondsPerPoint;
            FromInterval = fromInterval;
            UntilInterval = untilInterval;
        }

        public int Archive { get; }
        public int DifferenceArchive { get; }
        public long SecondsPerPoint { get; }

        /// <summary>First slot compared (Unix seconds).</summary>
        public long FromInterval { get; }

        /// <summary>End of the compared slots, exclusive.</summary>
        public long UntilInterval { get; }

        /// <summary>Slots in the window.</summary>
        public int Slots { get; internal set; }

        /// <summary>Slots holding a point in at least one file (in both, with IgnoreEmpty): whisper-diff's total.</summary>
        public int Compared { get; internal set; }

        /// <summary>All differing slots: ValueDifferences + OnlyInReference + OnlyInDifference.</summary>
        public int Differences => ValueDifferences + OnlyInReference + OnlyInDifference;

        public int ValueDifferences { get; internal set; }
        public int OnlyInReference { get; internal set; }
        public int OnlyInDifference { get; internal set; }
    }

    /// <summary>The outcome of comparing two files.</summary>
    public sealed class ComparisonResult
    {
        internal ComparisonResult(WhisperHeader reference, WhisperHeader difference, IReadOnlyList<ArchiveComparison> archives,
            IReadOnlyList<long> referenceOnlySteps, IReadOnlyList<long> differenceOnlySteps)
        {
            ReferenceHeader = reference;
            DifferenceHeader = difference;
            Archives = archives;
            ReferenceOnlySteps = referenceOnlySteps;
            DifferenceOnlySteps = differenceOnlySteps;
        }

        public WhisperHeader ReferenceHeader { get; }
        public WhisperHeader DifferenceHeader { get; }

        /// <summary>One entry per resolution both files have, reference archive order.</summary>
        public IReadOnlyList<ArchiveComparison> Archives { get; }

        /// <summary>Seconds per point of reference archives the difference file lacks (not compared).</summary>
        public IReadOnlyList<long> ReferenceOnlySteps { get; }

        /// <summary>Seconds per point of difference archives the reference file lacks (not compared).</summary>
        public IReadOnlyList<long> DifferenceOnlySteps { get; }

        /// <summary>Total differing slots over every compared archive.</summary>
        public long Differences
        {
            get
            {
                long n = 0;
                foreach (var a in Archives) n += a.Differences;
                return n;
            }
        }

        /// <summary>True when no compared slot differs. Resolutions only one file has are not data differences.</summary>
        public bool Identical => Differences == 0;
    }

    /// <summary>
    /// Compares the data of two whisper files slot by slot, every archive over its whole window: unlike
    /// whisper-diff, which compares each coarser archive only where the finer ones do not reach (so a coarse
    /// archive's change inside the fine window goes unseen), and which needs identical archive lists. Here each
    /// resolution the two files share is compared over (now - the shorter retention, now], clipped to From/Until.
    /// </summary>
    /// <remarks>
    /// Values compare as numbers, except that NaN equals NaN (the same stored value; whisper-diff reports it as a
    /// difference because NaN != NaN in Python). Both files are read under shared locks, each archive in one go,
    /// and closed before differences are handed out, so a slow consumer never holds carbon's writer back.
    /// Memory: 9 bytes a compared slot per file.
    /// </remarks>
    public static class WhisperComparer
    {
        /// <summary>Compares two files by path; <paramref name="onDifference"/> (optional) receives each differing
        /// slot in archive then time order.</summary>
        public static ComparisonResult Compare(string referencePath, string differencePath, ComparisonOptions options = null,
            Action<WhisperDifference> onDifference = null)
        {
            if (referencePath == null) throw new ArgumentNullException(nameof(referencePath));
            if (differencePath == null) throw new ArgumentNullException(nameof(differencePath));
            options = options ?? new ComparisonOptions();
            long now = options.Now ?? Clock.UnixNow();
            WhisperHeader rh, dh;
            var pairs = new List<(int R, int D, FetchResult Ref, FetchResult Dif, ArchiveComparison Summary)>();
            using (var reference = WhisperFile.Open(referencePath, FileOpenMode.Read))
            using (var difference = WhisperFile.Open(differencePath, FileOpenMode.Read))
            {
                rh = reference.Header;
                dh = difference.Header;
                foreach (var (r, d) in SharedArchives(rh, dh))
                {
                    var ra = rh.Archives[r];
                    var window = Window(ra, dh.Archives[d], now, options);
                    if (window == null) continue;
                    var fr = reference.FetchArchiveRaw(r, window.Value.From, window.Value.Until);
                    var fd = difference.FetchArchiveRaw(d, window.Value.From, window.Value.Until);
                    pairs.Add((r, d, fr, fd, new ArchiveComparison(r, d, ra.SecondsPerPoint, fr.FromInterval, fr.UntilInterval)));
                }
            }
            var summaries = new List<ArchiveComparison>(pairs.Count);
            foreach (var p in pairs)
            {
                CompareArchive(p.Ref, p.Dif, p.Summary, options.IgnoreEmpty, onDifference);
                summaries.Add(p.Summary);
            }
            return new ComparisonResult(rh, dh, summaries, Unshared(rh, dh), Unshared(dh, rh));
        }

        /// <summary>Pairs of (reference archive, difference archive) with the same seconds per point.</summary>
        public static IEnumerable<(int Reference, int Difference)> SharedArchives(WhisperHeader reference, WhisperHeader difference)
        {
            for (int r = 0; r < reference.Archives.Count; r++)
                for (int d = 0; d < difference.Archives.Count; d++)
                    if (reference.Archives[r].SecondsPerPoint == difference.Archives[d].SecondsPerPoint)
                    {
                        yield return (r, d);
                        break;
                    }
        }

        private static List<long> Unshared(WhisperHeader a, WhisperHeader b)
        {
            var steps = new List<long>();
            foreach (var x in a.Archives)
            {
                bool shared = false;
                foreach (var y in b.Archives) shared |= y.SecondsPerPoint == x.SecondsPerPoint;
                if (!shared) steps.Add(x.SecondsPerPoint);
            }
            return steps;
        }

        // (from, until] for one shared resolution: the part of now's window both archives hold, clipped to the options.
        private static (long From, long Until)? Window(ArchiveInfo r, ArchiveInfo d, long now, ComparisonOptions o)
        {
            long from = now - Math.Min(r.Retention, d.Retention);
            long until = now;
            if (o.From.HasValue && o.From.Value > from) from = o.From.Value;
            if (o.Until.HasValue && o.Until.Value < until) until = o.Until.Value;
            if (from >= until) return null;
            return (from, until);
        }

        private static void CompareArchive(FetchResult r, FetchResult d, ArchiveComparison s, bool ignoreEmpty, Action<WhisperDifference> onDifference)
        {
            int n = Math.Min(r.Count, d.Count);
            s.Slots = n;
            for (int i = 0; i < n; i++)
            {
                bool hr = r.TryGetValue(i, out double vr);
                bool hd = d.TryGetValue(i, out double vd);
                if (!hr && !hd) continue;
                if (ignoreEmpty && !(hr && hd)) continue;
                s.Compared++;
                if (hr && hd)
                {
                    if (vr.Equals(vd)) continue; // NaN equals NaN; 0.0 equals -0.0
                    s.ValueDifferences++;
                }
                else if (hr) s.OnlyInReference++;
                else s.OnlyInDifference++;
                onDifference?.Invoke(new WhisperDifference(s.Archive, s.DifferenceArchive, s.SecondsPerPoint, r.TimestampAt(i),
                    hr ? vr : (double?)null, hd ? vd : (double?)null));
            }
        }
    }
}
