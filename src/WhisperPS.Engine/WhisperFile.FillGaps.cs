using System;
using System.Collections.Generic;
using System.Threading;
using WhisperPS.Engine.Fill;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine
{
    public sealed partial class WhisperFile
    {
        /// <summary>
        /// Fills the empty slots of <paramref name="targetPath"/> from replicas (whisper-fill done right). Only
        /// slots that whisper shows as empty are filled; a slot with a value (0.0 included) is never overwritten,
        /// except rollups, which are recomputed by whisper's propagation rules when finer slots under them were
        /// filled, so every archive agrees with the filled data. Each empty slot comes from the first source, in
        /// the order given, that has data for it, taken from that source's finest archive covering the slot and no
        /// coarser than it (finer source data is rolled up with the target's method and xFilesFactor; coarser data
        /// never fills finer slots). Only slots in the whole steps of (<paramref name="fromTime"/>,
        /// <paramref name="untilTime"/>] are filled, the slots whisper's fetch returns for that range.
        /// <para>Each source is read under a shared lock that is released before the next is opened; the target is
        /// then locked exclusively (as carbon locks it), read, changed in place and released: its inode never
        /// changes, and carbon, which waits on the lock, then writes into the filled file. Writes go in two passes
        /// per group of slots, so a kill at any moment leaves every slot either as it was or filled; running the
        /// fill again completes it. A source that cannot be read is reported in
        /// <see cref="FillResult.SourceFailures"/> and the others are still used.</para>
        /// </summary>
        /// <param name="targetPath">The file to repair.</param>
        /// <param name="sourcePaths">Replicas of the same metric, in order of preference.</param>
        /// <param name="fromTime">Unix seconds; default: everything the target holds.</param>
        /// <param name="untilTime">Unix seconds; default: now.</param>
        /// <param name="now">Unix seconds that count as now for the archives' windows; default: the clock.</param>
        /// <param name="dryRun">Compute the counts only; the target is read under a shared lock and not written.</param>
        /// <param name="flush">fsync the target between the two passes and at the end (power-loss safety).</param>
        /// <param name="cancellationToken">Checked between sources; a fill that has begun writing is finished.</param>
        /// <param name="progress">Told (archives written, archive count) under the target's lock: (0, n) once
        /// the target is read and the writes are about to begin, then after each archive (coarsest first).</param>
        public static FillResult FillGaps(string targetPath, IReadOnlyList<string> sourcePaths, long? fromTime = null,
            long? untilTime = null, long? now = null, bool dryRun = false, bool flush = false,
            CancellationToken cancellationToken = default(CancellationToken), Action<int, int> progress = null)
        {
            if (targetPath == null) throw new ArgumentNullException(nameof(targetPath));
            if (sourcePaths == null) throw new ArgumentNullException(nameof(sourcePaths));
            long n = now ?? Clock.UnixNow();
            long until = untilTime ?? n;
            long from = fromTime ?? 0;
            if (until < from)
                throw new InvalidTimeIntervalException("Invalid time interval: the fill range ends (" + until +
                    ") before it starts (" + from + ")." + WhisperException.FileSuffix(targetPath));
            string targetFull = System.IO.Path.GetFullPath(targetPath);

            // 1. Every source, one at a time, each under its own shared lock.
            var sources = new List<ArchiveImage[]>(sourcePaths.Count);
            var failures = new List<SourceFailure>();
            for (int i = 0; i < sourcePaths.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string path = sourcePaths[i];
                ArchiveImage[] images = null;
                try
                {
                    if (path == null) throw new ArgumentNullException(nameof(sourcePaths), "Source " + i + " is null.");
                    if (string.Equals(System.IO.Path.GetFullPath(path), targetFull,
                            RandomAccessFile.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                        throw new ArgumentException("Cannot fill '" + targetPath + "' from itself.", nameof(sourcePaths));
                    using (var source = Open(path, FileOpenMode.Read))
                        images = source.ReadImages(n, long.MaxValue);
                }
                catch (Exception e) when (!(e is OperationCanceledException))
                {
                    failures.Add(new SourceFailure(i, path, e));
                }
                sources.Add(images);
            }
            cancellationToken.ThrowIfCancellationRequested();

            // 2. The target: locked, read, decided, written, released.
            using (var target = Open(targetPath, dryRun ? FileOpenMode.Read : FileOpenMode.ReadWrite))
            {
                var header = target.Header;
                long coarsest = header.Archives[header.Archives.Count - 1].SecondsPerPoint;
                // Source archives coarser than the target's coarsest can never fill a slot: not kept.
                for (int i = 0; i < sources.Count; i++)
                    if (sources[i] != null) sources[i] = Array.FindAll(sources[i], a => a.Step <= coarsest);
                var images = target.ReadImages(n, long.MaxValue);
                var plan = new GapFill(header, images, sources, from, until);
                plan.Run();
                if (!dryRun)
                {
                    // Coarsest first: a kill part-way leaves rollups already agreeing with finer slots that a rerun
                    // fills with the same values.
                    // Blocks first: a sparse file needs new blocks for the slots it gains, and a full disk must
                    // refuse them before any slot is written (a no-op on a fully allocated file).
                    foreach (var image in images)
                        if (image.ChangedSpan(out long offset, out long length)) target._file.TryAllocate(offset, length);
                    Action barrier = flush ? (Action)target._file.Flush : null;
                    progress?.Invoke(0, images.Length);
                    for (int k = images.Length - 1; k >= 0; k--)
                    {
                        images[k].WriteBack(target._file.Write, barrier);
                        progress?.Invoke(images.Length - k, images.Length);
                    }
                    if (flush) target._file.Flush();
                }
                return new FillResult(targetPath, dryRun, plan.Counts, CopyOf(sourcePaths), plan.SlotsBySource, failures);
            }
        }

        private static string[] CopyOf(IReadOnlyList<string> list)
        {
            var a = new string[list.Count];
            for (int i = 0; i < a.Length; i++) a[i] = list[i];
            return a;
        }

        // Every archive with a step up to maxStep, read whole (one read per archive).
        private ArchiveImage[] ReadImages(long now, long maxStep)
        {
            var list = new List<ArchiveImage>(Header.Archives.Count);
            foreach (var a in Header.Archives)
            {
                if (a.SecondsPerPoint > maxStep) break;
                if (a.Size > int.MaxValue)
                    throw new NotSupportedException("An archive of " + a.Size + " bytes is too large to fill in memory." + WhisperException.FileSuffix(Path));
                var raw = new byte[a.Size];
                ReadRange(a.Offset, raw, 0, raw.Length);
                list.Add(new ArchiveImage(a, raw, now));
            }
            return list.ToArray();
        }
    }
}
