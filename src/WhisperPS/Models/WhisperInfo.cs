using System;
using System.IO;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS
{
    /// <summary>
    /// A whisper file's header and size. The property order is the CSV column order and never changes;
    /// Archives is for display and drill-down (Export-Csv would show it as a type name, so the flat
    /// Retention and ArchiveCount carry the same facts for CSV).
    /// </summary>
    public sealed class WhisperInfo
    {
        internal WhisperInfo(string path, WhisperHeader header, long fileSize, DateTime lastWriteTimeUtc, long? lastUpdate)
        {
            Path = path;
            Name = System.IO.Path.GetFileName(path);
            AggregationMethod = header.AggregationMethod;
            XFilesFactor = header.XFilesFactor;
            MaxRetention = header.MaxRetention;
            var archives = new WhisperArchiveInfo[header.Archives.Count];
            var definitions = new string[archives.Length];
            for (int i = 0; i < archives.Length; i++)
            {
                archives[i] = new WhisperArchiveInfo(i, header.Archives[i]);
                definitions[i] = archives[i].Definition;
            }
            Retention = string.Join(",", definitions);
            ArchiveCount = archives.Length;
            Archives = archives;
            FileSize = fileSize;
            LastWriteTimeUtc = lastWriteTimeUtc;
            Directory = System.IO.Path.GetDirectoryName(path);
            LastUpdateUnixTime = lastUpdate;
        }

        /// <summary>Full filesystem path; binds to -LiteralPath of the other cmdlets.</summary>
        public string Path { get; }

        public string Name { get; }

        public AggregationMethod AggregationMethod { get; }

        public float XFilesFactor { get; }

        /// <summary>Seconds, as stored in the header.</summary>
        public long MaxRetention { get; }

        /// <summary>All archives as one definition, e.g. 10s:1d,1min:7d, which -Retention accepts.</summary>
        public string Retention { get; }

        public int ArchiveCount { get; }

        /// <summary>Finest first.</summary>
        public WhisperArchiveInfo[] Archives { get; }

        public long FileSize { get; }

        public DateTime LastWriteTimeUtc { get; }

        /// <summary>The folder the file is in: the default table groups by it, as Get-ChildItem does, so rows of
        /// files with the same name (three count.wsp) say which file they are.</summary>
        public string Directory { get; }

        /// <summary>
        /// Time of the newest point any read can return from any archive, at offset +00:00; null for a file with no
        /// points. Read from the data, not the file time, so a backfilled file (fresh mtime, old points) is seen as
        /// stale. A DateTimeOffset compares correctly with Get-Date in every time zone.
        /// </summary>
        public DateTimeOffset? LastUpdate => LastUpdateUnixTime.HasValue ? DateTimeOffset.FromUnixTimeSeconds(LastUpdateUnixTime.Value) : (DateTimeOffset?)null;

        /// <summary>LastUpdate in Unix seconds, as stored.</summary>
        public long? LastUpdateUnixTime { get; }

        /// <summary>
        /// The metric the file holds, as carbon names it from the file's path under the storage root (folders to
        /// dots, tagged series decoded); null when no storage root was given, the file is not under it, or the file
        /// is a tagged series stored by its hash (its name is not in the path).
        /// </summary>
        public string Metric { get; private set; }

        /// <summary>Reads the header and the newest point of a file (under a shared lock).</summary>
        internal static WhisperInfo Read(string path, string metric = null)
        {
            using (var f = WhisperFile.Open(path, FileOpenMode.Read))
                return From(f, metric);
        }

        /// <param name="file">an open file</param>
        /// <param name="metric">the file's metric name, when its storage root is known (<see cref="Metric"/>)</param>
        internal static WhisperInfo From(WhisperFile file, string metric = null)
        {
            return new WhisperInfo(file.Path, file.Header, file.Length, File.GetLastWriteTimeUtc(file.Path), file.ReadLastUpdate())
            {
                Metric = metric,
            };
        }

        public override string ToString() => Path;
    }
}
