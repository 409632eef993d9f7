using System;
using System.Collections.Concurrent;
using WhisperPS.Engine.IO;

namespace WhisperPS.Engine
{
    /// <summary>
    /// Lets a batch of rewrites (one Resize-WhisperFile pipeline, say) keep one journal file and rename it from file
    /// to file, instead of creating and deleting one per rewrite. Creating a file costs an inode allocation, which on
    /// ext4 without a journal scans past every inode freed in the last minute: rewriting thousands of files that way
    /// spent most of its time there. Pass it in <see cref="RewriteOptions.ReuseJournal"/>; <see cref="Dispose"/>
    /// deletes the kept file. Used only by rewrites that do not fsync (a renamed name is durable only after an fsync
    /// of its folder) and not on Windows (a file open there cannot be renamed without extra sharing flags).
    /// <para>Safety: only a journal already made invalid (its magic overwritten, <see cref="RewriteJournal.Delete"/>)
    /// is renamed to the next file's journal name, and the next record is written over it in one write under that
    /// file's lock; a kill leaves either an invalid journal (discarded by the next open, the file untouched), a
    /// complete one (applied again), or one whose checksum fails (discarded). Not for use by several threads at once.</para>
    /// </summary>
    public sealed class JournalReuse : IDisposable
    {
        // The journals kept (invalid) by this process: its own opens of those files need not discard them, which
        // would cost a write lock and end the reuse (Resize-WhisperFile -PassThru reads each file it rewrote).
        private static readonly ConcurrentDictionary<string, bool> Kept = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        internal static bool IsKept(string journal) => Kept.ContainsKey(journal);

        private RandomAccessFile _file;
        private string _path;
        private bool _invalid; // only an invalid journal may be renamed for another file

        /// <summary>Takes the kept journal for <paramref name="journal"/> (same folder) and writes the record into
        /// it; false (and nothing kept) when there is none or it cannot be moved, so the caller creates one.</summary>
        internal bool TryTake(string journal, byte[] record, int length)
        {
            if (_file == null) return false;
            if (!_invalid || !string.Equals(FolderOf(_path), FolderOf(journal), StringComparison.Ordinal))
            {
                Drop();
                return false;
            }
            Kept.TryRemove(_path, out _);
            try
            {
                // Another WhisperPS process that opens the previous file may have deleted the (invalid) journal
                // meanwhile: the rename then fails and a new one is created.
                RandomAccessFile.Replace(_path, journal);
            }
            catch (Exception)
            {
                Drop();
                return false;
            }
            _path = journal;
            _invalid = false;
            _file.Write(0, record, 0, length); // a failure here is the caller's: it deletes the journal by name
            return true;
        }

        /// <summary>Keeps a journal the caller has just created and written.</summary>
        internal void Hold(string journal, RandomAccessFile file)
        {
            Drop();
            _file = file;
            _path = journal;
            _invalid = false;
        }

        /// <summary>Makes the held journal invalid and keeps it; false when <paramref name="journal"/> is not the
        /// one held or the write fails (the caller then deletes it).</summary>
        internal bool Release(string journal)
        {
            if (_file == null || !string.Equals(_path, journal, StringComparison.Ordinal)) return false;
            try
            {
                _file.Write(0, RewriteJournal.Invalid, 0, RewriteJournal.Invalid.Length);
                _invalid = true;
                Kept[_path] = true;
                return true;
            }
            catch (Exception)
            {
                _file.Dispose();
                _file = null;
                return false;
            }
        }

        // Closes the kept journal and deletes it if it is invalid; a valid one (a rewrite that failed and could not
        // put the original back) stays for the next open to complete.
        private void Drop()
        {
            if (_file == null) return;
            Kept.TryRemove(_path, out _);
            _file.Dispose();
            _file = null;
            if (_invalid)
            {
                try { RandomAccessFile.Delete(_path); } catch (Exception) { /* a leftover invalid journal is discarded by the next open */ }
            }
        }

        private static string FolderOf(string path) => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));

        /// <summary>Deletes the kept journal.</summary>
        public void Dispose() => Drop();
    }
}
