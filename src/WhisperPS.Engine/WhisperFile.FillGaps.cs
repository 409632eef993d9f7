using System;
using System.Collections.Generic;
using System.IO;
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
            => FillGapsCore(targetPath, sourcePaths, fromTime, untilTime, now, dryRun, flush, cancellationToken, progress, exhaustive: false);

        /// <summary><paramref name="exhaustive"/>: decide slot by slot over the whole range, without skipping the
        /// stretches no data can reach (the reference the tests compare the fast path with).</summary>
        internal static FillResult FillGapsCore(string targetPath, IReadOnlyList<string> sourcePaths, long? fromTime,
            long? untilTime, long? now, bool dryRun, bool flush, CancellationToken cancellationToken,
            Action<int, int> progress, bool exhaustive)
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
            var scratch = FillScratch.Rent();
            try
            {
                // 1. Every source, one at a time, each under its own shared lock, read whole in one read.
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
                        using (OpenWhole(path, FileOpenMode.Read, scratch, i, n, null, out _, out images))
                        {
                        }
                    }
                    catch (Exception e) when (!(e is OperationCanceledException))
                    {
                        failures.Add(new SourceFailure(i, path, e));
                    }
                    sources.Add(images);
                }
                cancellationToken.ThrowIfCancellationRequested();

                // 2. The target: locked, read, decided, written, released.
                using (var file = OpenWhole(targetPath, dryRun ? FileOpenMode.Read : FileOpenMode.ReadWrite, scratch, -1, n,
                           scratch, out var header, out var images))
                {
                    long coarsest = header.Archives[header.Archives.Count - 1].SecondsPerPoint;
                    // Source archives coarser than the target's coarsest can never fill a slot: not kept.
                    for (int i = 0; i < sources.Count; i++)
                    {
                        var s = sources[i];
                        if (s == null) continue;
                        int keep = 0;
                        while (keep < s.Length && s[keep].Step <= coarsest) keep++;
                        if (keep < s.Length) Array.Resize(ref s, keep);
                        sources[i] = s;
                    }
                    var plan = new GapFill(header, images, sources, from, until, exhaustive);
                    plan.Run();
                    if (!dryRun)
                    {
                        // Coarsest first: a kill part-way leaves rollups already agreeing with finer slots that a rerun
                        // fills with the same values.
                        // Blocks first: a sparse file needs new blocks for the slots it gains, and a full disk must
                        // refuse them before any slot is written (a no-op on a fully allocated file). Spans of
                        // neighbouring archives less than a page apart are reserved in one call.
                        long spanStart = -1, spanEnd = -1;
                        foreach (var image in images)
                        {
                            if (!image.ChangedSpan(out long offset, out long length)) continue;
                            if (spanStart >= 0 && offset - spanEnd > 4096)
                            {
                                file.TryAllocate(spanStart, spanEnd - spanStart);
                                spanStart = -1;
                            }
                            if (spanStart < 0) spanStart = offset;
                            spanEnd = offset + length;
                        }
                        if (spanStart >= 0) file.TryAllocate(spanStart, spanEnd - spanStart);
                        Action barrier = flush ? (Action)file.Flush : null;
                        Action<long, byte[], int, int> write = file.Write;
                        progress?.Invoke(0, images.Length);
                        for (int k = images.Length - 1; k >= 0; k--)
                        {
                            images[k].WriteBack(write, barrier);
                            progress?.Invoke(images.Length - k, images.Length);
                        }
                        if (flush) file.Flush();
                    }
                    return new FillResult(targetPath, dryRun, plan.Counts, CopyOf(sourcePaths), plan.SlotsBySource, failures);
                }
            }
            finally
            {
                FillScratch.Return(scratch);
            }
        }

        /// <summary>
        /// Opens and locks a file as <see cref="Open(string, FileOpenMode)"/> does and reads all of it in one read
        /// into the buffer <paramref name="buffers"/> keeps for <paramref name="role"/> (-1: the target, else the
        /// source's index), then checks its header: a fill needs every slot of every archive it may use, and one read
        /// costs less than one per archive. The archives are views into that buffer; a target's take their change
        /// marks from <paramref name="marks"/>.
        /// </summary>
        private static RandomAccessFile OpenWhole(string path, FileOpenMode mode, FillScratch buffers, int role, long now,
            FillScratch marks, out WhisperHeader header, out ArchiveImage[] images)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            var file = RandomAccessFile.Open(path, mode);
            try
            {
                byte[] content;
                long length;
                try
                {
                    // A buffer kept from an earlier file is read into at once, and a read that stops short of it
                    // reached the end of the file: one call instead of asking for the length first (the files of a
                    // tree mostly share a size). Were a read ever cut short before the end, the header check would
                    // see a file too short for its archives and report it; it never reads past what it got. Only a
                    // file that fills the buffer is measured and read again whole.
                    content = buffers.Kept(role);
                    int got = content == null ? 0 : file.Read(0, content, 0, content.Length);
                    if (content != null && got < content.Length) length = got;
                    else
                    {
                        length = file.Length;
                        if (length > int.MaxValue)
                            throw new NotSupportedException("A file of " + length + " bytes is too large to fill in memory." + WhisperException.FileSuffix(path));
                        // A page more than the file, so that the next file of this size ends short of it.
                        int capacity = (int)Math.Min(int.MaxValue, length + 4096);
                        content = role < 0 ? buffers.Target(capacity) : buffers.Source(role, capacity);
                        got = ReadFully(file, 0, content, (int)length);
                        if (got < length) length = got; // it shrank under us: the header check reports what is missing
                    }
                }
                catch (Exception) when (!RandomAccessFile.IsWindows && Directory.Exists(path))
                {
                    throw UnixFile.IsDirectory(path);
                }
                header = WhisperHeader.Read((offset, b, count) =>
                {
                    int c = (int)Math.Max(0, Math.Min(count, length - offset));
                    if (c > 0) Buffer.BlockCopy(content, (int)offset, b, 0, c);
                    return c;
                }, length, path);
                var archives = header.Archives;
                images = new ArchiveImage[archives.Count];
                for (int k = 0; k < images.Length; k++)
                    images[k] = new ArchiveImage(archives[k], content, (int)archives[k].Offset, now, marks, k);
                return file;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        private static string[] CopyOf(IReadOnlyList<string> list)
        {
            var a = new string[list.Count];
            for (int i = 0; i < a.Length; i++) a[i] = list[i];
            return a;
        }
    }
}
