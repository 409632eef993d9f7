using System.Collections.Generic;

namespace WhisperPS.Engine
{
    /// <summary>
    /// The order in which CPython 3 iterates <c>set(list_of_ints)</c>. whisper's update_many propagates the
    /// unique coarse intervals in that order, and when a coarse archive is empty the first interval written
    /// becomes its slot 0, so the file's bytes depend on this order. This emulates CPython's open-addressing
    /// table (hash(n) == n for these non-negative ints, 9 linear probes, then perturbed probing, growth to
    /// 4x the used count when 3/5 full) and returns the distinct values in table order.
    /// </summary>
    internal sealed class PythonSetOrder
    {
        private const int MinSize = 8;
        private const int LinearProbes = 9;
        private const int PerturbShift = 5;

        private long[] _keys = new long[MinSize];
        private bool[] _used = new bool[MinSize];
        private int _fill;

        public int Count => _fill;

        /// <summary>The distinct values of <paramref name="values"/>, in CPython's set iteration order.</summary>
        public static List<long> Of(IEnumerable<long> values)
        {
            var s = new PythonSetOrder();
            foreach (var v in values) s.Add(v);
            return s.InOrder();
        }

        public void Add(long key)
        {
            ulong mask = (ulong)_keys.Length - 1;
            ulong hash = (ulong)key;
            ulong perturb = hash;
            ulong i = hash & mask;
            while (true)
            {
                ulong probes = i + LinearProbes <= mask ? LinearProbes : 0UL;
                ulong j = i;
                while (true)
                {
                    if (!_used[j])
                    {
                        _used[j] = true;
                        _keys[j] = key;
                        _fill++;
                        if ((ulong)_fill * 5 >= mask * 3)
                            Resize(_fill > 50000 ? _fill * 2 : _fill * 4);
                        return;
                    }
                    if (_keys[j] == key) return;
                    if (probes == 0) break;
                    probes--;
                    j++;
                }
                perturb >>= PerturbShift;
                i = (i * 5 + 1 + perturb) & mask;
            }
        }

        public List<long> InOrder()
        {
            var list = new List<long>(_fill);
            for (int i = 0; i < _keys.Length; i++)
                if (_used[i]) list.Add(_keys[i]);
            return list;
        }

        private void Resize(int minUsed)
        {
            long newSize = MinSize;
            while (newSize <= minUsed) newSize <<= 1;
            var oldKeys = _keys;
            var oldUsed = _used;
            _keys = new long[newSize];
            _used = new bool[newSize];
            ulong mask = (ulong)newSize - 1;
            for (int k = 0; k < oldKeys.Length; k++)
            {
                if (!oldUsed[k]) continue;
                InsertClean(oldKeys[k], mask);
            }
        }

        // CPython's set_insert_clean: the table has no equal key and no deleted entries.
        private void InsertClean(long key, ulong mask)
        {
            ulong hash = (ulong)key;
            ulong perturb = hash;
            ulong i = hash & mask;
            while (true)
            {
                if (!_used[i]) { Place(i, key); return; }
                if (i + LinearProbes <= mask)
                {
                    for (ulong j = 1; j <= LinearProbes; j++)
                        if (!_used[i + j]) { Place(i + j, key); return; }
                }
                perturb >>= PerturbShift;
                i = (i * 5 + 1 + perturb) & mask;
            }
        }

        private void Place(ulong i, long key)
        {
            _used[i] = true;
            _keys[i] = key;
        }
    }
}
