using System;
using System.Diagnostics;
using System.IO;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine
{
    /// <summary>Options shared by every operation that rewrites a whole file (resize, clear, create -Force).</summary>
    public sealed class RewriteOptions
    {
        /// <summary>Copy the file as it was (read under the same lock) to this path first; it must not exist.</summary>
        public string BackupPath { get; set; }

        /// <summary>fsync the journal (and its directory where the filesystem needs it) before the file is touched,
        /// and the file before the journal is deleted (default). Without it a kill is still safe, a power loss may
        /// not be. Why each fsync is needed: see <see cref="RewriteJournal"/>.</summary>
        public bool Durable { get; set; } = true;

        /// <summary>Compute and report only; the file is read under a shared lock and not changed.</summary>
        public bool WhatIf { get; set; }

        /// <summary>Keep one journal file for a batch of rewrites without fsync instead of one per file (see
        /// <see cref="JournalReuse"/>); the caller disposes it when the batch ends.</summary>
        public JournalReuse ReuseJournal { get; set; }
    }

    /// <summary>What one rewrite did.</summary>
    public class RewriteResult
    {
        public string Path { get; internal set; }

        /// <summary>False when the new content equals the old (nothing was written) or for WhatIf.</summary>
        public bool Changed { get; internal set; }

        public long OldLength { get; internal set; }
        public long NewLength { get; internal set; }

        /// <summary>How long the file's lock was held: carbon's writer waits at most this long for it.</summary>
        public TimeSpan LockHeld { get; internal set; }
    }

    public sealed partial class WhisperFile
    {
        /// <summary>
        /// The one live-safe, crash-safe rewrite: under the file's exclusive lock (the lock carbon takes with
        /// WHISPER_LOCK_WRITES) read the whole file, compute its new content, journal it beside the file, write it into
        /// the same inode, fsync, delete the journal. Carbon opens files by path and reads the header only once it
        /// has the lock, so a writer that waited sees the new layout and nothing it writes is lost; owner, group,
        /// mode and ACL stay because the inode does. See <see cref="RewriteJournal"/> for what a kill leaves.
        /// <paramref name="compute"/> gets the current bytes (a per-thread array, not to be kept once it returns) and returns
        /// the new image, or null to leave the file.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        internal static T Rewrite<T>(string path, Func<byte[], RewriteImage> compute, RewriteOptions options, T result)
            where T : RewriteResult
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            options = options ?? new RewriteOptions();
            result.Path = path;
            var file = RandomAccessFile.Open(path, options.WhatIf ? FileOpenMode.Read : FileOpenMode.ReadWrite);
            var held = Stopwatch.StartNew();
            try
            {
                long length = file.Length;
                if (length > int.MaxValue) throw new NotSupportedException("A file of " + length + " bytes is too large to rewrite in memory.");
                var current = Scratch.Exact((int)length);
                file.ReadExactly(0, current, 0, current.Length, "the file");
                result.OldLength = length;
                var image = compute(current);
                result.NewLength = image?.Length ?? length;
                if (image == null || options.WhatIf || SameContent(image, current)) return result;

                if (options.BackupPath != null) WriteBackup(options.BackupPath, current, options.Durable);
                RewriteJournal.Write(path, image, options.Durable, options.ReuseJournal);
                try
                {
                    // Blocks for a growing file first: a full disk refuses them before anything is written, and
                    // they read as zeros, so the write can stop where the new and the old content end.
                    bool grown = image.Length > length && !image.SparseTail && file.TryAllocate(length, image.Length - length);
                    RewriteJournal.ApplyOver(file, image, current, grown);
                    if (options.Durable) file.Flush();
                }
                catch (Exception e)
                {
                    throw PutBack(file, path, current, e);
                }
                RewriteJournal.Delete(path, options.ReuseJournal);
                result.Changed = true;
                return result;
            }
            finally
            {
                file.Dispose();
                result.LockHeld = held.Elapsed;
            }
        }

        // A write into the file failed (disk full on a filesystem that cannot reserve blocks, I/O error): put the
        // original back from memory and drop the journal. If even that fails the journal stays and the next open
        // completes the rewrite, so the file is never left half-written without a way back.
        private static Exception PutBack(RandomAccessFile file, string path, byte[] original, Exception error)
        {
            string state;
            try
            {
                file.Write(0, original, 0, original.Length);
                file.SetLength(original.Length);
                file.Flush();
                RewriteJournal.Delete(path);
                state = "the original content was put back";
            }
            catch (Exception)
            {
                state = "the journal '" + RewriteJournal.PathFor(path) + "' was kept; the next open completes the rewrite";
            }
            string message = "Could not rewrite '" + path + "' (" + state + "): " + error.Message;
            if (error is UnauthorizedAccessException) return new UnauthorizedAccessException(message, error);
            return new IOException(message, error);
        }

        private static void WriteBackup(string backupPath, byte[] content, bool durable)
        {
            bool created = false;
            try
            {
                using (var b = RandomAccessFile.CreateNew(backupPath))
                {
                    created = true;
                    b.Write(0, content, 0, content.Length);
                    if (durable) b.Flush();
                }
            }
            catch (Exception)
            {
                if (created) try { File.Delete(backupPath); } catch (Exception) { /* the original error matters */ }
                throw;
            }
        }

        private static bool SameContent(RewriteImage image, byte[] current)
        {
            if (image.Length != current.Length || image.Count > current.Length) return false;
            return RewriteJournal.FirstDifference(image.Data, current, 0, image.Count) == image.Count &&
                   RewriteJournal.FirstDifference(current, null, image.Count, current.Length) == current.Length;
        }

        /// <summary>Parses a header from bytes already in memory.</summary>
        internal static WhisperHeader HeaderOf(byte[] content, string path)
        {
            return WhisperHeader.Read((offset, buffer, count) =>
            {
                int n = (int)Math.Max(0, Math.Min(count, content.Length - offset));
                if (n > 0) Buffer.BlockCopy(content, (int)offset, buffer, 0, n);
                return n;
            }, content.Length, path);
        }
    }
}
