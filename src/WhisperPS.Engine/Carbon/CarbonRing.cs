using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace WhisperPS.Engine.Carbon
{
    /// <summary>A virtual node position that more than one virtual node hashed to, before any resolution.</summary>
    public sealed class CarbonVnodeCollision
    {
        internal CarbonVnodeCollision(int position, IReadOnlyList<CarbonDestination> nodes)
        {
            Position = position;
            Nodes = nodes;
        }

        public int Position { get; }

        /// <summary>The nodes whose virtual nodes landed here, in DESTINATIONS order (a node may appear twice).</summary>
        public IReadOnlyList<CarbonDestination> Nodes { get; }
    }

    /// <summary>
    /// The consistent-hash ring of carbon's ConsistentHashingRouter or of a carbon-c-relay cluster, reproduced
    /// exactly for one implementation, so a metric's owners can be computed without asking the relay.
    /// </summary>
    public sealed class CarbonRing
    {
        /// <summary>Virtual nodes per node: hard-wired in carbon and carbon-c-relay alike.</summary>
        public const int VirtualNodes = 100;

        private const int PositionCount = 65536;

        private readonly CarbonDestination[] _nodes;
        private readonly int[] _positions;   // sorted ring positions (carbon may bump one past 65535)
        private readonly int[] _owners;      // node index of each ring entry, after the implementation's resolution
        private readonly int[] _jumpOrder;   // jump_fnv1a_ch: node indexes in bucket order
        private readonly List<CarbonVnodeCollision> _collisions = new List<CarbonVnodeCollision>();

        private CarbonRing(CarbonDestination[] nodes, CarbonHashType type, CarbonImplementation impl)
        {
            _nodes = nodes;
            HashType = type;
            Implementation = impl;
            if (type == CarbonHashType.JumpFnv1aCh)
            {
                _jumpOrder = JumpOrder(nodes);
                return;
            }
            var raw = new List<KeyValuePair<int, int>>(nodes.Length * VirtualNodes); // (position, node)
            for (int n = 0; n < nodes.Length; n++)
                for (int i = 0; i < VirtualNodes; i++)
                    raw.Add(new KeyValuePair<int, int>(VnodePosition(nodes[n], i), n));
            foreach (var g in raw.GroupBy(e => e.Key).Where(g => g.Count() > 1).OrderBy(g => g.Key))
                _collisions.Add(new CarbonVnodeCollision(g.Key, g.Select(e => nodes[e.Value]).ToArray()));

            List<KeyValuePair<int, int>> entries;
            switch (impl)
            {
                case CarbonImplementation.Carbon:
                    // carbon >= 1.0 adds nodes in order; a position already taken moves up by one until free.
                    var taken = new HashSet<int>();
                    entries = new List<KeyValuePair<int, int>>(raw.Count);
                    foreach (var e in raw)
                    {
                        int p = e.Key;
                        while (!taken.Add(p)) p++;
                        entries.Add(new KeyValuePair<int, int>(p, e.Value));
                    }
                    entries.Sort((a, b) => a.Key.CompareTo(b.Key));
                    break;
                case CarbonImplementation.Carbon09:
                    // carbon 0.9.x keeps every entry, ordered as Python 2 orders (position, (server, instance)).
                    entries = new List<KeyValuePair<int, int>>(raw);
                    entries.Sort((a, b) =>
                    {
                        int c = a.Key.CompareTo(b.Key);
                        if (c != 0) return c;
                        c = CompareBytes(nodes[a.Value].Server, nodes[b.Value].Server);
                        if (c != 0) return c;
                        string ia = nodes[a.Value].Instance, ib = nodes[b.Value].Instance;
                        if (ia == null || ib == null) return ia == null ? (ib == null ? 0 : -1) : 1;
                        return CompareBytes(ia, ib);
                    });
                    break;
                default:
                    // carbon-c-relay sorts on (position, server, instance with none last) or (position, server,
                    // port) and then hands every run of equal positions to the first entry of the run.
                    entries = new List<KeyValuePair<int, int>>(raw);
                    bool fnv = type == CarbonHashType.Fnv1aCh;
                    entries.Sort((a, b) =>
                    {
                        int c = a.Key.CompareTo(b.Key);
                        if (c != 0) return c;
                        CarbonDestination x = nodes[a.Value], y = nodes[b.Value];
                        c = CompareBytes(x.Server, y.Server);
                        if (c != 0) return c;
                        if (fnv) return x.Port.CompareTo(y.Port);
                        if (x.Instance == null || y.Instance == null) return x.Instance == null ? (y.Instance == null ? 0 : 1) : -1;
                        return CompareBytes(x.Instance, y.Instance);
                    });
                    for (int i = 1; i < entries.Count; i++)
                        if (entries[i].Key == entries[i - 1].Key)
                            entries[i] = new KeyValuePair<int, int>(entries[i].Key, entries[i - 1].Value);
                    break;
            }
            _positions = entries.Select(e => e.Key).ToArray();
            _owners = entries.Select(e => e.Value).ToArray();
        }

        /// <summary>Builds the ring of <paramref name="nodes"/> in their configured order (the order matters to carbon).</summary>
        public static CarbonRing Create(IEnumerable<CarbonDestination> nodes, CarbonHashType type, CarbonImplementation implementation)
        {
            if (nodes == null) throw new ArgumentNullException(nameof(nodes));
            var list = nodes.ToArray();
            if (list.Length == 0) throw new ArgumentException("A ring needs at least one destination.", nameof(nodes));
            if (type == CarbonHashType.JumpFnv1aCh && implementation != CarbonImplementation.CarbonCRelay)
                throw new ArgumentException("jump_fnv1a_ch exists only in carbon-c-relay (-Implementation CarbonCRelay).");
            if (type == CarbonHashType.Fnv1aCh && implementation == CarbonImplementation.Carbon09)
                throw new ArgumentException("carbon 0.9.x has no fnv1a_ch; use -Implementation Carbon or CarbonCRelay.");
            for (int i = 0; i < list.Length; i++)
                for (int j = 0; j < i; j++)
                {
                    bool clash = implementation == CarbonImplementation.CarbonCRelay && type != CarbonHashType.CarbonCh
                        ? list[i].Equals(list[j]) : list[i].SameNode(list[j]);
                    if (clash)
                        throw new ArgumentException("Destination '" + list[i] + "' is configured twice (" +
                            (implementation == CarbonImplementation.CarbonCRelay ? "same server, port and instance" : "the ring key is server and instance; the port does not count") + ").");
                }
            return new CarbonRing(list, type, implementation);
        }

        public CarbonHashType HashType { get; }

        public CarbonImplementation Implementation { get; }

        public IReadOnlyList<CarbonDestination> Nodes => _nodes;

        /// <summary>Virtual node positions hit more than once before the implementation resolved them.</summary>
        public IReadOnlyList<CarbonVnodeCollision> Collisions => _collisions;

        /// <summary>The metric's position on the ring (0-65535); -1 for jump_fnv1a_ch, which has no ring positions.</summary>
        public int GetPosition(string metric)
        {
            if (metric == null) throw new ArgumentNullException(nameof(metric));
            byte[] key = RingHash.Bytes(metric);
            switch (HashType)
            {
                case CarbonHashType.CarbonCh: return RingHash.Md5Position(key);
                case CarbonHashType.Fnv1aCh: return RingHash.Fnv1aPosition(key, Implementation == CarbonImplementation.CarbonCRelay);
                default: return -1;
            }
        }

        /// <summary>
        /// The metric's destinations in the order the relay sends to them: REPLICATION_FACTOR distinct nodes, or
        /// with <paramref name="diverseReplicas"/> (carbon only) nodes on that many distinct server strings. Fewer
        /// come back when the ring has fewer. The name is hashed exactly as given (no normalisation).
        /// </summary>
        public IReadOnlyList<CarbonDestination> GetDestinations(string metric, int replicationFactor, bool diverseReplicas)
        {
            if (replicationFactor < 1) throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicationFactor, "The replication factor is at least 1.");
            var result = new List<CarbonDestination>(replicationFactor);
            if (HashType == CarbonHashType.JumpFnv1aCh)
            {
                ulong hash = RingHash.Fnv1a64(RingHash.Bytes(metric), true);
                var buckets = (int[])_jumpOrder.Clone();
                int count = buckets.Length, wanted = replicationFactor;
                while (count > 0)
                {
                    int j = RingHash.JumpBucket(hash, count);
                    result.Add(_nodes[buckets[j]]);
                    if (--wanted == 0) break;
                    hash = RingHash.JumpNext(hash);
                    buckets[j] = buckets[--count];
                }
                return result;
            }
            var usedServers = new HashSet<string>(StringComparer.Ordinal);
            foreach (int n in Walk(GetPosition(metric)))
            {
                var node = _nodes[n];
                if (diverseReplicas && !usedServers.Add(node.Server)) continue;
                result.Add(node);
                if (result.Count >= replicationFactor) break;
            }
            return result;
        }

        /// <summary>The distinct nodes from a position onward, in the order the implementation visits them.</summary>
        private IEnumerable<int> Walk(int position)
        {
            int len = _positions.Length;
            int index = LowerBound(position) % len;
            var seen = new bool[_nodes.Length];
            int found = 0;
            if (Implementation == CarbonImplementation.CarbonCRelay)
            {
                // carbon-c-relay walks the whole ring round until it has enough distinct servers.
                for (int k = 0; k < len && found < _nodes.Length; k++, index = (index + 1) % len)
                {
                    int n = _owners[index];
                    if (seen[n]) continue;
                    seen[n] = true;
                    found++;
                    yield return n;
                }
                yield break;
            }
            // carbon's get_nodes stops one entry short of a full turn (index != last_index).
            int last = ((index - 1) % len + len) % len;
            while (found < _nodes.Length && (index != last || len == 1))
            {
                int n = _owners[index];
                if (!seen[n])
                {
                    seen[n] = true;
                    found++;
                    yield return n;
                }
                if (len == 1) break;
                index = (index + 1) % len;
            }
        }

        private int LowerBound(int position)
        {
            int lo = 0, hi = _positions.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (_positions[mid] < position) lo = mid + 1; else hi = mid;
            }
            return lo;
        }

        /// <summary>
        /// Each node's share of the 65,536 hash positions as first owner (jump_fnv1a_ch: an even split, which is what
        /// the jump hash gives in expectation).
        /// </summary>
        public double[] PrimaryShares()
        {
            var shares = new double[_nodes.Length];
            if (HashType == CarbonHashType.JumpFnv1aCh)
            {
                for (int i = 0; i < shares.Length; i++) shares[i] = 1.0 / shares.Length;
                return shares;
            }
            var counts = new long[_nodes.Length];
            for (int p = 0; p < PositionCount; p++)
            {
                foreach (int n in Walk(p)) { counts[n]++; break; }
            }
            for (int i = 0; i < shares.Length; i++) shares[i] = counts[i] / (double)PositionCount;
            return shares;
        }

        private int VnodePosition(CarbonDestination node, int i)
        {
            string index = i.ToString(CultureInfo.InvariantCulture);
            switch (Implementation)
            {
                case CarbonImplementation.CarbonCRelay:
                    if (HashType == CarbonHashType.CarbonCh)
                    {
                        // carbon-c-relay prints Python's tuple syntax itself (no escaping) into a 256-byte buffer.
                        string key = "('" + node.Server + "', " + (node.Instance == null ? "None" : "'" + node.Instance + "'") + "):" + index;
                        return RingHash.Md5Position(Truncate255(RingHash.Bytes(key)));
                    }
                    string fkey = node.Instance == null
                        ? index + "-" + node.Server + ":" + node.Port.ToString(CultureInfo.InvariantCulture)
                        : index + "-" + node.Instance;
                    return RingHash.Fnv1aPosition(Truncate255(RingHash.Bytes(fkey)), true);
                case CarbonImplementation.Carbon09:
                    return RingHash.Md5Position(RingHash.Bytes(PythonTuple(node, RingHash.Python2Repr) + ":" + index));
                default:
                    if (HashType == CarbonHashType.Fnv1aCh)
                        return RingHash.Fnv1aPosition(RingHash.Bytes(index + "-" + (node.Instance ?? "None")), false);
                    return RingHash.Md5Position(RingHash.Bytes(PythonTuple(node, RingHash.PythonRepr) + ":" + index));
            }
        }

        private static string PythonTuple(CarbonDestination node, Func<string, string> repr)
        {
            return "(" + repr(node.Server) + ", " + (node.Instance == null ? "None" : repr(node.Instance)) + ")";
        }

        private static byte[] Truncate255(byte[] b)
        {
            if (b.Length <= 255) return b;
            var t = new byte[255];
            Array.Copy(b, t, 255);
            return t;
        }

        /// <summary>strcmp / Python 2 str order: unsigned UTF-8 bytes.</summary>
        private static int CompareBytes(string a, string b)
        {
            byte[] x = RingHash.Bytes(a), y = RingHash.Bytes(b);
            int n = Math.Min(x.Length, y.Length);
            for (int i = 0; i < n; i++)
                if (x[i] != y[i]) return x[i] - y[i];
            return x.Length - y.Length;
        }

        /// <summary>carbon-c-relay's bucket order: nodes with an instance first (numerically when both are
        /// numbers), then nodes without one in configured order.</summary>
        private static int[] JumpOrder(CarbonDestination[] nodes)
        {
            var order = Enumerable.Range(0, nodes.Length).ToList();
            order.Sort((a, b) =>
            {
                string x = nodes[a].Instance, y = nodes[b].Instance;
                if (x == null && y == null) return a.CompareTo(b);
                if (x == null) return 1;
                if (y == null) return -1;
                if (long.TryParse(x, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out long lx) &&
                    long.TryParse(y, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out long ly))
                    return lx.CompareTo(ly);
                int c = CompareBytes(x, y);
                return c != 0 ? c : a.CompareTo(b);
            });
            return order.ToArray();
        }
    }
}
