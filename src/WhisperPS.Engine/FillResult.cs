using System;
using System.Collections.Generic;

namespace WhisperPS.Engine
{
    /// <summary>What a gap fill did (or, for a dry run, would do) to one archive of the target.</summary>
    public sealed class ArchiveFillCount
    {
        internal ArchiveFillCount(int index, ArchiveInfo archive)
        {
            Index = index;
            SecondsPerPoint = archive.SecondsPerPoint;
            Points = archive.Points;
        }

        /// <summary>Position of the archive in the target's header, finest first.</summary>
        public int Index { get; }

        public long SecondsPerPoint { get; }

        public long Points { get; }

        /// <summary>Empty slots given a value from a source (copied, or rolled up from a finer source archive).</summary>
        public long FromSources { get; internal set; }

        /// <summary>Empty slots given a value by propagation from the target's own finer archive.</summary>
        public long FromRollup { get; internal set; }

        /// <summary>Rollups that held a value and were recomputed because finer slots under them were filled.</summary>
        public long Recomputed { get; internal set; }

        /// <summary>Empty slots that received a value: <see cref="FromSources"/> + <see cref="FromRollup"/>.</summary>
        public long Filled => FromSources + FromRollup;

        /// <summary>Slots of the requested range that are still empty afterwards (no source had data for them).</summary>
        public long StillEmpty { get; internal set; }
    }

    /// <summary>A source that could not be read; the fill went on with the others.</summary>
    public sealed class SourceFailure
    {
        internal SourceFailure(int index, string path, Exception error)
        {
            Index = index;
            Path = path;
            Error = error;
        }

        /// <summary>Position of the source in the list given.</summary>
        public int Index { get; }

        public string Path { get; }

        public Exception Error { get; }
    }

    /// <summary>The outcome of <see cref="WhisperFile.FillGaps"/> for one target file.</summary>
    public sealed class FillResult
    {
        internal FillResult(string path, bool dryRun, IReadOnlyList<ArchiveFillCount> archives, IReadOnlyList<string> sources,
            long[] slotsBySource, IReadOnlyList<SourceFailure> failures)
        {
            Path = path;
            DryRun = dryRun;
            Archives = archives;
            Sources = sources;
            SlotsBySource = slotsBySource;
            SourceFailures = failures;
        }

        public string Path { get; }

        /// <summary>Nothing was written: the counts say what a real run would do.</summary>
        public bool DryRun { get; }

        /// <summary>One entry per archive of the target, finest first.</summary>
        public IReadOnlyList<ArchiveFillCount> Archives { get; }

        /// <summary>The sources as given.</summary>
        public IReadOnlyList<string> Sources { get; }

        /// <summary>Slots each source supplied, parallel to <see cref="Sources"/>.</summary>
        public IReadOnlyList<long> SlotsBySource { get; }

        /// <summary>Sources that supplied at least one slot, in the order given.</summary>
        public IReadOnlyList<string> SourcesUsed
        {
            get
            {
                var used = new List<string>();
                for (int i = 0; i < Sources.Count; i++)
                    if (SlotsBySource[i] > 0) used.Add(Sources[i]);
                return used;
            }
        }

        public IReadOnlyList<SourceFailure> SourceFailures { get; }

        /// <summary>Empty slots that received a value, all archives together.</summary>
        public long Filled
        {
            get
            {
                long n = 0;
                foreach (var a in Archives) n += a.Filled;
                return n;
            }
        }

        /// <summary>Rollups recomputed, all archives together.</summary>
        public long Recomputed
        {
            get
            {
                long n = 0;
                foreach (var a in Archives) n += a.Recomputed;
                return n;
            }
        }
    }
}
