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
        private readonly int _at; // where slot 0 is in _raw
        private readonly bool _unanchored;
        private readonly FillScratch _scratch;
        private readonly int _index;
        private bool[] _changed;
        private uint[] _firstPassStamp;
        private int _firstChanged = int.MaxValue, _lastChanged = -1;

        public ArchiveImage(ArchiveInfo info, byte[] raw, long now) : this(info, raw, 0, now, null, 0)
        {
        }

        /// <summary>The archive whose slot 0 is at <paramref name="at"/> in <paramref name="raw"/> (the whole file,
        /// read at once). A target archive takes its change marks from <paramref name="scratch"/> as archive
        /// <paramref name="index"/>; without one they are allocated.</summary>
        public ArchiveImage(ArchiveInfo info, byte[] raw, int at, long now, FillScratch scratch, int index)
        {
            Info = info;
            _raw = raw;
            _at = at;
            _scratch = scratch;
            _index = index;
            Step = info.SecondsPerPoint;
            Points = info.Points;
            Base = BigEndian.ReadUInt32(raw, at);
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

        // The last interval asked for and its ring position: a fill walks each archive in time order, so the next
        // question is nearly always the next interval, answered without the two 64-bit divisions.
        private long _lastInterval = long.MinValue;
        private int _lastPosition;

        private int Position(long interval)
        {
            int p;
            if (interval == _lastInterval + Step)
            {
                p = _lastPosition + 1;
                if (p == Points) p = 0;
            }
            else if (interval == _lastInterval) return _lastPosition;
            else p = (int)PyMath.FloorMod(PyMath.FloorDiv(interval - Base, Step), Points);
            _lastInterval = interval;
            _lastPosition = p;
            return p;
        }

        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        public unsafe SlotState State(long interval, out double value)
        {
            value = 0;
            if (Base == 0) return SlotState.Empty;
            int p = Position(interval);
            // An archive with no anchor when read shows nothing to whisper; only what this fill wrote counts.
            if (_unanchored && (_changed == null || !_changed[p])) return SlotState.Empty;
            fixed (byte* slot = &_raw[_at + p * Point.Size])
            {
                long stored = BigEndian.ReadUInt32(slot);
                if (stored == interval)
                {
                    value = BigEndian.ReadDouble(slot + 4);
                    return SlotState.Known;
                }
                return stored > interval ? SlotState.Newer : SlotState.Empty;
            }
        }

        /// <summary>How many slots from <paramref name="interval"/> on, at most <paramref name="max"/>, hold the point
        /// of their own interval as read (a fill leaves those alone unless it recomputes them): one pass over the ring
        /// instead of a <see cref="State"/> call per slot.</summary>
        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        public unsafe long KnownRun(long interval, long max)
        {
            if (_unanchored || Base == 0 || max <= 0) return 0;
            int points = (int)Points;
            int p = Position(interval);
            long u = interval, n = 0;
            fixed (byte* ring = &_raw[_at])
            {
                while (n < max && BigEndian.ReadUInt32(ring + p * Point.Size) == u)
                {
                    n++;
                    u += Step;
                    if (++p == points) p = 0;
                }
            }
            return n;
        }

        // The oldest and newest interval of the window whose slot is not empty (holds its own point or a newer one),
        // widened by every slot this fill sets; lo > hi when there is none. Found on first use by scanning the ring
        // from each end of the window, which stops at the first slot with data: a full archive costs two slots, an
        // archive holding only its last day of a month costs one pass over the empty part.
        private bool _extentKnown;
        private long _lo, _hi;

        [System.Runtime.CompilerServices.MethodImpl(Jit.Optimize)]
        private unsafe void EnsureExtent()
        {
            if (_extentKnown) return;
            _extentKnown = true;
            _lo = long.MaxValue;
            _hi = long.MinValue;
            if (_unanchored) return; // whisper sees nothing (and nothing has been set yet: Set asks first)
            int points = (int)Points;
            int p0 = (int)PyMath.FloorMod(PyMath.FloorDiv(First - Base, Step), Points);
            fixed (byte* ring = &_raw[_at])
            {
                // Window order is ring order from p0, wrapping once: two straight runs each way.
                int i = FirstHeld(ring, p0, points, First, Step);
                if (i < 0)
                {
                    i = FirstHeld(ring, 0, p0, First + (points - p0) * Step, Step);
                    if (i < 0) return;
                    _lo = First + (points - p0 + i) * Step;
                }
                else _lo = First + (i - p0) * Step;
                i = LastHeld(ring, 0, p0, First + (points - p0) * Step, Step);
                if (i >= 0) _hi = First + (points - p0 + i) * Step;
                else _hi = First + (LastHeld(ring, p0, points, First, Step) - p0) * Step;
            }
        }

        // The first slot of ring positions [from, to) whose stored interval is at least its window interval (the
        // interval of position from is u, then one step per position), or -1.
        private static unsafe int FirstHeld(byte* ring, int from, int to, long u, long step)
        {
            byte* slot = ring + from * Point.Size;
            for (int p = from; p < to; p++, slot += Point.Size, u += step)
                if (BigEndian.ReadUInt32(slot) >= u) return p;
            return -1;
        }

        // The last such slot of [from, to), or -1.
        private static unsafe int LastHeld(byte* ring, int from, int to, long u, long step)
        {
            long v = u + (long)(to - 1 - from) * step;
            byte* slot = ring + (to - 1) * Point.Size;
            for (int p = to - 1; p >= from; p--, slot -= Point.Size, v -= step)
                if (BigEndian.ReadUInt32(slot) >= v) return p;
            return -1;
        }

        /// <summary>
        /// The intervals from <paramref name="lo"/> to <paramref name="hi"/> outside which every slot of the window
        /// shows empty (lo &gt; hi: all of them). An interval after the window can still hold a point written with a
        /// later clock; callers treat those as possibly holding data.
        /// </summary>
        public void Extent(out long lo, out long hi)
        {
            EnsureExtent();
            lo = _lo;
            hi = _hi;
        }

        /// <summary>Gives the slot of <paramref name="interval"/> a value. <paramref name="wasKnown"/>: it held a
        /// value before (a rollup being recomputed), so its first pass must mark it stale.</summary>
        public void Set(long interval, double value, bool wasKnown)
        {
            EnsureExtent();
            if (interval < _lo) _lo = interval;
            if (interval > _hi) _hi = interval;
            if (Base == 0)
            {
                Base = interval; // whisper anchors an empty ring at its first write
                _lastInterval = long.MinValue;
            }
            int p = Position(interval);
            int at = _at + p * Point.Size;
            if (_changed == null)
            {
                if (_scratch != null) _scratch.Marks(_index, (int)Points, out _changed, out _firstPassStamp);
                else
                {
                    _changed = new bool[Points];
                    _firstPassStamp = new uint[Points];
                }
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
                    : ValueStraddlesPage(Info.Offset + (at - _at)) ? (interval > Info.Retention ? (uint)(interval - Info.Retention) : old)
                    : (uint)interval;
                _changed[p] = true;
                if (p < _firstChanged) _firstChanged = p;
                if (p > _lastChanged) _lastChanged = p;
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
            if (_lastChanged < 0) return false;
            offset = Info.Offset + (long)_firstChanged * Point.Size;
            length = (long)(_lastChanged - _firstChanged + 1) * Point.Size;
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
            if (_lastChanged < 0) return;
            // Unchanged slots between two changed ones rewritten as they are (we hold the lock, so they are what is on disk):
            // up to a page of them costs less than another pair of writes.
            const int Bridge = 4096 / Point.Size;
            int end = _lastChanged + 1;
            int p = _firstChanged;
            while (p < end)
            {
                if (!_changed[p]) { p++; continue; }
                int start = p, stop = p + 1;
                for (int q = stop; q < end && q - stop < Bridge; q++)
                    if (_changed[q]) stop = q + 1;
                int bytes = (stop - start) * Point.Size;
                byte[] first = _scratch != null ? _scratch.Pass(bytes) : new byte[bytes];
                Buffer.BlockCopy(_raw, _at + start * Point.Size, first, 0, bytes);
                for (int i = start; i < stop; i++)
                    if (_changed[i]) BigEndian.WriteUInt32(first, (i - start) * Point.Size, _firstPassStamp[i]);
                long offset = Info.Offset + (long)start * Point.Size;
                write(offset, first, 0, bytes);
                barrier?.Invoke();
                write(offset, _raw, _at + start * Point.Size, bytes);
                p = stop;
            }
        }
    }
}
