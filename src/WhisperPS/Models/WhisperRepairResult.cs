using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using WhisperPS.Engine;

namespace WhisperPS
{
    /// <summary>What Repair-WhisperFile did to one file: slots filled per archive and the sources that gave them.</summary>
    public sealed class WhisperRepairResult
    {
        internal WhisperRepairResult(FillResult result)
        {
            Path = result.Path;
            Name = System.IO.Path.GetFileName(result.Path);
            var archives = new WhisperArchiveRepair[result.Archives.Count];
            for (int i = 0; i < archives.Length; i++) archives[i] = new WhisperArchiveRepair(result.Archives[i]);
            Archives = archives;
            Filled = result.Filled;
            Recomputed = result.Recomputed;
            StillEmpty = archives.Sum(a => a.StillEmpty);
            SourcesUsed = result.SourcesUsed.ToArray();
        }

        private string _filledPerArchive;

        public string Path { get; }

        public string Name { get; }

        /// <summary>Empty slots that received a value, all archives together.</summary>
        public long Filled { get; }

        /// <summary>Rollups recomputed because finer slots under them were filled.</summary>
        public long Recomputed { get; }

        /// <summary>Slots in the range that no source could fill.</summary>
        public long StillEmpty { get; }

        /// <summary>The sources that supplied at least one slot, in the order given.</summary>
        public string[] SourcesUsed { get; }

        /// <summary>"1min:1d: 120, 10min:30d: 12": slots filled in each archive (made when first read: a bulk repair
        /// whose results go to Out-Null need not format thousands of them).</summary>
        public string FilledPerArchive => _filledPerArchive ?? (_filledPerArchive =
            string.Join(", ", Archives.Select(a => a.Definition + ": " + a.Filled.ToString(CultureInfo.InvariantCulture))));

        public IReadOnlyList<WhisperArchiveRepair> Archives { get; }
    }

    /// <summary>The counts of one archive of a repaired file.</summary>
    public sealed class WhisperArchiveRepair
    {
        internal WhisperArchiveRepair(ArchiveFillCount count)
        {
            Index = count.Index;
            Definition = Engine.Retention.Format(new ArchiveSpec(count.SecondsPerPoint, count.Points));
            SecondsPerPoint = count.SecondsPerPoint;
            FromSources = count.FromSources;
            FromRollup = count.FromRollup;
            Filled = count.Filled;
            Recomputed = count.Recomputed;
            StillEmpty = count.StillEmpty;
        }

        public int Index { get; }

        /// <summary>The archive as a retention definition, e.g. 1min:1d.</summary>
        public string Definition { get; }

        public long SecondsPerPoint { get; }

        /// <summary>Empty slots filled from a source.</summary>
        public long FromSources { get; }

        /// <summary>Empty slots filled by propagation from the file's own finer archive.</summary>
        public long FromRollup { get; }

        /// <summary>FromSources + FromRollup.</summary>
        public long Filled { get; }

        /// <summary>Rollups that held a value and were recomputed.</summary>
        public long Recomputed { get; }

        /// <summary>Slots in the range still empty afterwards.</summary>
        public long StillEmpty { get; }

        public override string ToString() => Definition + ": " + Filled.ToString(CultureInfo.InvariantCulture);
    }
}
