using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine
{
    public sealed partial class WhisperFile
    {
        /// <summary>
        /// whisper's merge(): copies every known point of <paramref name="sourcePath"/> in [from, until] into the
        /// same archive of <paramref name="destinationPath"/>, overwriting what is there, and propagates as an
        /// update_many would. Both files must have identical archive layouts. The source is read under a shared
        /// lock and closed before the destination is locked for writing, so merging two names of one file cannot
        /// deadlock. <paramref name="progress"/> is told (archives done, archive count) as it goes.
        /// </summary>
        public static void Merge(string sourcePath, string destinationPath, long? fromTime = null, long? untilTime = null,
            long? now = null, Action<int, int> progress = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (sourcePath == null) throw new ArgumentNullException(nameof(sourcePath));
            if (destinationPath == null) throw new ArgumentNullException(nameof(destinationPath));
            long n = now ?? Clock.UnixNow();
            long until = untilTime ?? n;
            long from = fromTime ?? 0;
            if (until < from)
                throw new InvalidTimeIntervalException("Invalid time interval: the merge range ends (" + until +
                    ") before it starts (" + from + "); time_to must be >= time_from. (" + sourcePath + " into " + destinationPath + ")");
            if (string.Equals(System.IO.Path.GetFullPath(sourcePath), System.IO.Path.GetFullPath(destinationPath),
                    RandomAccessFile.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                throw new ArgumentException("Cannot merge '" + sourcePath + "' into itself.", nameof(destinationPath));

            WhisperHeader sourceHeader;
            var copies = new List<(int Archive, long[] Timestamps, double[] Values, int Count)>();
            using (var source = Open(sourcePath, FileOpenMode.Read))
            {
                sourceHeader = source.Header;
                source.BeginCall();
                // Python sorts by retention; validated headers are already in that order.
                for (int k = 0; k < sourceHeader.Archives.Count; k++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var archive = sourceHeader.Archives[k];
                    long archiveFrom = Math.Max(from, n - archive.Retention);
                    if (until < n - archive.Retention) continue;
                    int count = source.ReadKnownPoints(k, archiveFrom, until, out var ts, out var values);
                    if (count > 0) copies.Add((k, ts, values, count));
                }
            }

            using (var destination = Open(destinationPath, FileOpenMode.ReadWrite))
            {
                var target = destination.Header;
                if (!SameLayout(sourceHeader, target))
                    throw new ArchiveMismatchException(sourcePath + " and " + destinationPath +
                        " archive configurations are unalike. Resize the input before merging (source: " +
                        Describe(sourceHeader) + "; destination: " + Describe(target) + ")");
                destination.BeginCall();
                int done = 0;
                progress?.Invoke(0, copies.Count);
                foreach (var copy in copies)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    destination.WriteArchive(copy.Archive, copy.Timestamps, copy.Values, 0, copy.Count);
                    progress?.Invoke(++done, copies.Count);
                }
                destination.AfterWrite();
            }
        }

        /// <summary>Whether two headers have the same archives at the same offsets, as merge requires.</summary>
        public static bool SameLayout(WhisperHeader a, WhisperHeader b)
        {
            if (a.Archives.Count != b.Archives.Count) return false;
            for (int i = 0; i < a.Archives.Count; i++)
                if (!a.Archives[i].SameLayout(b.Archives[i])) return false;
            return true;
        }

        private static string Describe(WhisperHeader h)
        {
            var parts = new string[h.Archives.Count];
            for (int i = 0; i < parts.Length; i++) parts[i] = h.Archives[i].ToString();
            return string.Join(",", parts);
        }
    }
}
