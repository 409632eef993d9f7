using System;

namespace WhisperPS.Engine.Fill
{
    internal enum SlotState
    {
        /// <summary>The slot holds an older interval (or nothing): whisper shows no value here.</summary>
        Empty,

        /// <summary>The slot holds this interval's point.</summary>
        Known,

        /// <summary>The slot holds a newer interval (the ring moved past this one, or points in the future):
        /// it belongs to that newer point and is never written.</summary>
        Newer,
    }

    /// <summary>
    /// One archive's ring as read from disk, addressed by interval the way whisper addresses it (from the anchor in
    /// slot 0), with the slots a fill changes tracked so they can be written back in two passes. The window is the
    /// archive's intervals as of "now": the Points intervals ending with the one that holds now, the slots whisper's
    /// fetch returns for the archive.
    /// </summary>
    internal sealed class ArchiveImage
    {
        private readonly byte[] _raw;
        private readonly bool _unanchored;
        private bool[] _changed;
        private uint[] _firstPassStamp;

        public ArchiveImage(ArchiveInfo info, byte[] raw, long now)
        {
            Info = info;
            _raw = raw;
            Step = info.SecondsPerPoint;
            Points = info.Points;
            Base = BigEndian.ReadUInt32(raw, 0);
            _unanchored = Base == 0;
            Last = PyMath.Align(now, Step);
            First = PyMath.Align(now - info.Retention, Step) + Step;
        }

        public ArchiveInfo Info { get; }
        public long Step { get; }
        public long Points { get; }

        /// <summary>The interval stored in slot 0 (0: the archive has never been written).</summary>
        public long Base { get; private set; }

        /// <summary>Oldest and newest interval of the window.</summary>
        public long First { get; }
        public long Last { get; }

        public long Changes { get; private set; }

        private int Position(long interval) => (int)PyMath.FloorMod(PyMath.FloorDiv(interval - Base, Step), Points);

        public SlotState State(long interval, out double value)
        {
            value = 0;
            if (Base == 0) return SlotState.Empty;
            int p = Position(interval);
            // An archive with no anchor when read shows nothing to whisper; only what this fill wrote counts.
            if (_unanchored && (_changed == null || !_changed[p])) return SlotState.Empty;
            long stored = BigEndian.ReadUInt32(_raw, p * Point.Size);
            if (stored == interval)
            {
                value = BigEndian.ReadDouble(_raw, p * Point.Size + 4);
                return SlotState.Known;
            }
            return stored > interval ? SlotState.Newer : SlotState.Empty;
        }

        /// <summary>Gives the slot of <paramref name="interval"/> a value. <paramref name="wasKnown"/>: it held a
        /// value before (a rollup being recomputed), so its first pass must mark it stale.</summary>
        public void Set(long interval, double value, bool wasKnown)
        {
            if (Base == 0) Base = interval; // whisper anchors an empty ring at its first write
            int p = Position(interval);
            int at = p * Point.Size;
            if (_changed == null)
            {
                _changed = new bool[Points];
                _firstPassStamp = new uint[Points];
            }
            if (!_changed[p])
            {
                uint old = BigEndian.ReadUInt32(_raw, at);
                // First pass: the new value under a timestamp that does not match the interval, for a slot that was
                // empty (that is what it held). A rollup being replaced keeps its matching timestamp, so it goes from
                // old to new in one step and is never seen empty: a kill stops a write only between pages, and its
                // 12 bytes lie in one page. Only a rollup whose 8-byte value straddles a 4 KB boundary could be torn
                // there; it alone is hidden during the first pass under the same ring position one lap earlier
                // (which keeps slot 0 a valid anchor), and a kill between the passes leaves it empty until the fill
                // runs again, never wrong.
                _firstPassStamp[p] = !wasKnown ? old
                    : ValueStraddlesPage(Info.Offset + at) ? (interval > Info.Retention ? (uint)(interval - Info.Retention) : old)
                    : (uint)interval;
                _changed[p] = true;
                Changes++;
            }
            Point.Encode(_raw, at, interval, value);
        }

        /// <summary>Whether the value of the slot at this file offset spans two 4 KB pages (a multiple of every page
        /// size in use), so that a kill between the pages of one write could leave half of it.</summary>
        internal static bool ValueStraddlesPage(long slotOffset) => (slotOffset + 4) / 4096 != (slotOffset + 11) / 4096;

        /// <summary>The bytes from the first to the last changed slot, or false when nothing changed.</summary>
        public bool ChangedSpan(out long offset, out long length)
        {
            offset = length = 0;
            if (_changed == null) return false;
            int first = Array.IndexOf(_changed, true), last = Array.LastIndexOf(_changed, true);
            offset = Info.Offset + (long)first * Point.Size;
            length = (long)(last - first + 1) * Point.Size;
            return true;
        }

        /// <summary>
        /// Writes the changed slots back. Each group of nearby slots is written twice: first with every slot that was
        /// empty holding its new value under a non-matching timestamp (whisper still sees it empty) and every replaced
        /// rollup already whole, then whole. A kill at any byte of either write leaves every slot either as it was or
        /// filled: a write stops only between pages, each replaced slot lies in one page (the rare one whose value
        /// straddles two is hidden instead, see <see cref="Set"/>), and the second write only changes timestamps, each
        /// a 4-byte aligned field that never straddles a page, over values already in place. The group holding slot 0
        /// goes first, so an empty ring is anchored before other slots land.
        /// </summary>
        public void WriteBack(Action<long, byte[], int, int> write, Action barrier)
        {
            if (_changed == null) return;
            const int Bridge = 512 / Point.Size; // unchanged slots between two changed ones rewritten as they are
            int points = (int)Points;
            int p = 0;
            byte[] first = null;
            while (p < points)
            {
                if (!_changed[p]) { p++; continue; }
                int start = p, end = p + 1;
                for (int q = end; q < points && q - end < Bridge; q++)
                    if (_changed[q]) end = q + 1;
                int bytes = (end - start) * Point.Size;
                if (first == null || first.Length < bytes) first = new byte[Math.Max(bytes, 4096)];
                Buffer.BlockCopy(_raw, start * Point.Size, first, 0, bytes);
                for (int i = start; i < end; i++)
                    if (_changed[i]) BigEndian.WriteUInt32(first, (i - start) * Point.Size, _firstPassStamp[i]);
                long offset = Info.Offset + (long)start * Point.Size;
                write(offset, first, 0, bytes);
                barrier?.Invoke();
                write(offset, _raw, start * Point.Size, bytes);
                p = end;
            }
        }
    }
}
