using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace WhisperPS.Engine.Tests.Interop
{
    /// <summary>One random interop case: its seed (to replay it) and the ops both sides run.</summary>
    internal sealed class InteropCase
    {
        public InteropCase(int seed, List<JsonObject> ops)
        {
            Seed = seed;
            Ops = ops;
        }

        public int Seed { get; }
        public List<JsonObject> Ops { get; }
    }

    /// <summary>
    /// Builds random but valid whisper workloads from a seed: random schemas of one to four archives, every
    /// method, xff values with and without an exact float32 form, batches with gaps, duplicates, future and
    /// too-old points, clock jumps that wrap the rings, single updates (some refused), metadata changes,
    /// merges and fetches of every kind. Each case ends by fetching every archive of every file from both
    /// sides' copies (cross-reads).
    /// </summary>
    internal sealed class Workloads
    {
        /// <summary>The NaN Python's float('nan') produces; .NET's double.NaN has the sign bit set.</summary>
        public static readonly double PythonNaN = BitConverter.Int64BitsToDouble(0x7FF8000000000000);

        private static readonly double[] XffChoices = { 0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.9, 1, 1 / 3.0, 0.99 };
        private static readonly long[] FirstSteps = { 1, 1, 2, 3, 5, 10, 60 };

        private readonly Random _r;
        private readonly List<JsonObject> _ops = new List<JsonObject>();
        private readonly Dictionary<string, ArchiveSpec[]> _files = new Dictionary<string, ArchiveSpec[]>();
        private long _now;

        private Workloads(int seed)
        {
            _r = new Random(seed);
            _now = 1_500_000_000 + _r.Next(0, 200_000_000);
        }

        /// <summary>create, then batches of update_many or single updates with fetches between, sometimes a
        /// metadata change.</summary>
        public static InteropCase Workload(int seed)
        {
            var w = new Workloads(seed);
            var schema = w.Schema();
            w.CreateFile("a.wsp", schema);
            int batches = w._r.Next(1, 6);
            for (int b = 0; b < batches; b++)
            {
                w.Advance(schema);
                w.Batch("a.wsp");
                if (w._r.Next(5) == 0) w.SetAggregation("a.wsp");
                w.Fetches("a.wsp", w._r.Next(0, 3));
            }
            w.Finish();
            return new InteropCase(seed, w._ops);
        }

        /// <summary>Metadata changes between batches, so later propagation runs with the new method and xff.</summary>
        public static InteropCase SetAggregationCase(int seed)
        {
            var w = new Workloads(seed);
            var schema = w.Schema();
            w.CreateFile("a.wsp", schema);
            w.Batch("a.wsp");
            int rounds = w._r.Next(1, 4);
            for (int i = 0; i < rounds; i++)
            {
                w.SetAggregation("a.wsp");
                w.Advance(schema);
                w.Batch("a.wsp");
                w.Fetches("a.wsp", 1);
            }
            w.Finish();
            return new InteropCase(seed, w._ops);
        }

        /// <summary>Two files with one schema (their own methods and xff); the destination empty or holding
        /// data; merged with and without a time range, sometimes back again.</summary>
        public static InteropCase MergeCase(int seed)
        {
            var w = new Workloads(seed);
            var schema = w.Schema();
            w.CreateFile("src.wsp", schema);
            w.CreateFile("dst.wsp", schema);
            for (int b = w._r.Next(1, 4); b > 0; b--)
            {
                w.Batch("src.wsp");
                w.Advance(schema);
            }
            for (int b = w._r.Next(10) < 3 ? 0 : w._r.Next(1, 4); b > 0; b--)
            {
                w.Batch("dst.wsp");
                w.Advance(schema);
            }
            w.MergeOp("src.wsp", "dst.wsp", schema);
            w.Fetches("dst.wsp", w._r.Next(1, 3));
            if (w._r.Next(4) == 0)
            {
                w.Advance(schema);
                w.MergeOp("dst.wsp", "src.wsp", schema);
            }
            w.Finish();
            return new InteropCase(seed, w._ops);
        }

        private ArchiveSpec[] Schema()
        {
            int count = _r.Next(1, 5);
            var list = new List<ArchiveSpec> { new ArchiveSpec(FirstSteps[_r.Next(FirstSteps.Length)], _r.Next(2, 90)) };
            while (list.Count < count)
            {
                var prev = list[list.Count - 1];
                int maxFactor = (int)Math.Min(prev.Points, 10);
                if (maxFactor < 2) break;
                long step = prev.SecondsPerPoint * _r.Next(2, maxFactor + 1);
                list.Add(new ArchiveSpec(step, prev.Retention / step + 1 + _r.Next(0, 40)));
            }
            return list.ToArray();
        }

        private void CreateFile(string file, ArchiveSpec[] sorted)
        {
            _files[file] = sorted;
            // Given in random order: both sides must sort it the same way.
            var given = sorted.OrderBy(_ => _r.Next()).ToArray();
            int kind = _r.Next(3);
            _ops.Add(Ops.Create(file, given, Xff(), RandomMethod(), kind == 1, kind == 2));
        }

        private double Xff() => _r.Next(4) == 0 ? _r.NextDouble() : XffChoices[_r.Next(XffChoices.Length)];

        private AggregationMethod RandomMethod() => Aggregation.All[_r.Next(Aggregation.All.Count)];

        private void SetAggregation(string file)
        {
            int k = _r.Next(3);
            _ops.Add(Ops.SetAggregation(file, k == 1 ? (AggregationMethod?)null : RandomMethod(), k == 0 ? (double?)null : Xff()));
        }

        /// <summary>Moves the clock: not at all, a few steps, about a lap of the finest ring, or far (coarse
        /// wrap-around); rarely backwards.</summary>
        private void Advance(ArchiveSpec[] s)
        {
            long max = s[s.Length - 1].Retention;
            switch (_r.Next(6))
            {
                case 0: break;
                case 1: _now += _r.Next(1, (int)s[0].SecondsPerPoint * 3 + 1); break;
                case 2: _now += _r.NextInt64(s[0].Retention / 2, s[0].Retention * 2 + 1); break;
                case 3: _now += _r.NextInt64(0, max + 1); break;
                case 4: _now += _r.NextInt64(max, max * 3); break;
                default: _now -= _r.Next(0, (int)s[0].SecondsPerPoint * 5 + 1); break;
            }
        }

        private double Value()
        {
            int k = _r.Next(200);
            if (k < 60) return _r.Next(-5, 6);
            if (k < 140) return Math.Round(_r.NextDouble() * 2000 - 1000, _r.Next(0, 4));
            if (k < 180) return (_r.NextDouble() - 0.5) * Math.Pow(10, _r.Next(-30, 31));
            if (k < 186) return 0.0;
            if (k < 190) return -0.0;
            if (k < 194) return _r.Next(2) == 0 ? double.PositiveInfinity : double.NegativeInfinity;
            if (k < 197) return PythonNaN;
            return _r.Next(2) == 0 ? double.MaxValue : -double.MaxValue; // sums overflow to inf
        }

        /// <summary>A timestamp somewhere useful: inside any archive, just past or at an archive's retention,
        /// slightly in the future, or older than the file.</summary>
        private long Timestamp(ArchiveSpec[] s)
        {
            long max = s[s.Length - 1].Retention;
            switch (_r.Next(8))
            {
                case 0:
                {
                    var a = s[_r.Next(s.Length)];
                    return _now - a.Retention + _r.Next(-1, 2);
                }
                case 1: return _now + _r.Next(0, (int)s[0].SecondsPerPoint * 3 + 2);
                case 2: return _now - max - _r.NextInt64(0, max / 4 + 2);
                case 3: return _now - _r.NextInt64(0, s[0].Retention + 1);
                default: return _now - _r.NextInt64(0, max + 1);
            }
        }

        private void Batch(string file)
        {
            var s = _files[file];
            if (_r.Next(5) == 0)
            {
                // Single updates, one per call: future points and age == maxRetention are refused here.
                for (int n = _r.Next(1, 7); n > 0; n--)
                    _ops.Add(Ops.Update(file, Timestamp(s), Value(), _now));
                return;
            }
            var points = new List<Point>();
            switch (_r.Next(4))
            {
                case 0:
                {
                    // A run at (or near) the finest step, up to two laps of the finest ring, with holes.
                    int n = _r.Next(1, (int)Math.Min(s[0].Points * 2 + 3, 400));
                    long step = s[0].SecondsPerPoint * (_r.Next(4) == 0 ? _r.Next(1, 4) : 1);
                    long start = _now - _r.NextInt64(0, Math.Min(s[s.Length - 1].Retention, s[0].Retention * 3) + 1);
                    bool holes = _r.Next(2) == 0;
                    for (int i = 0; i < n; i++)
                        if (!holes || _r.Next(4) != 0) points.Add(new Point(start + i * step, Value()));
                    break;
                }
                case 1:
                    for (int n = _r.Next(1, 80); n > 0; n--) points.Add(new Point(Timestamp(s), Value()));
                    break;
                case 2:
                {
                    // Several raw timestamps per slot: the latest in a slot must win.
                    long t0 = Timestamp(s);
                    for (int n = _r.Next(2, 30); n > 0; n--)
                        points.Add(new Point(t0 + _r.Next(0, (int)s[0].SecondsPerPoint * 4), Value()));
                    break;
                }
                default:
                {
                    // Sparse points spread over every archive, in coarse steps.
                    var a = s[_r.Next(s.Length)];
                    long start = _now - _r.NextInt64(0, s[s.Length - 1].Retention + 1);
                    for (int n = _r.Next(1, 60); n > 0; n--) points.Add(new Point(start + _r.Next(0, 3) * a.SecondsPerPoint + _r.Next(-2, 3) * n, Value()));
                    break;
                }
            }
            if (_r.Next(2) == 0)
            {
                // Identical timestamps with other values: the first given must win.
                for (int n = _r.Next(1, 6); n > 0; n--)
                {
                    var p = points[_r.Next(points.Count)];
                    points.Insert(_r.Next(points.Count + 1), new Point(p.Timestamp, Value()));
                }
            }
            if (_r.Next(2) == 0) points = points.OrderBy(_ => _r.Next()).ToList();
            points.RemoveAll(p => p.Timestamp <= 0);
            if (points.Count > 0 || _r.Next(10) == 0) _ops.Add(Ops.UpdateMany(file, points, _now));
        }

        private void MergeOp(string source, string destination, ArchiveSpec[] s)
        {
            long max = s[s.Length - 1].Retention;
            long? from = null, to = null;
            switch (_r.Next(4))
            {
                case 0: break;
                case 1: from = _now - _r.NextInt64(0, max + max / 4 + 1); break;
                case 2: to = _now - _r.NextInt64(-10, max + 1); break;
                default:
                    from = _now - _r.NextInt64(0, max + max / 4 + 1);
                    to = from + _r.NextInt64(0, max + 20);
                    break;
            }
            _ops.Add(Ops.Merge(source, destination, from, to, _now));
        }

        /// <summary>Fetches of every shape: ordinary, zero-length, reversed (an error), wholly in the future or
        /// past, longer than the file, and with an archive chosen by step (sometimes a step no archive has).</summary>
        private void Fetches(string file, int count)
        {
            var s = _files[file];
            long max = s[s.Length - 1].Retention;
            for (int i = 0; i < count; i++)
            {
                long from;
                long? until;
                switch (_r.Next(7))
                {
                    case 0: from = _now - _r.NextInt64(0, max + 1); until = from; break;
                    case 1: from = _now - _r.NextInt64(0, max); until = from - _r.Next(1, 100); break;
                    case 2: from = _now + _r.Next(1, 100); until = from + _r.Next(0, 100); break;
                    case 3: until = _now - max - _r.Next(1, 100); from = until.Value - _r.Next(0, 1000); break;
                    case 4: from = _r.Next(2) == 0 ? 0 : _now - max - _r.Next(0, 1000); until = null; break;
                    default:
                        from = _now - _r.NextInt64(0, max + max / 4 + 2);
                        until = from + _r.NextInt64(0, max + 30);
                        break;
                }
                long? archive = null;
                int k = _r.Next(10);
                if (k < 3) archive = s[_r.Next(s.Length)].SecondsPerPoint;
                else if (k == 3) archive = s[s.Length - 1].SecondsPerPoint * 2 + 1; // no such archive
                _ops.Add(Ops.Fetch(file, Math.Max(0, from), until, _now, archive));
            }
        }

        /// <summary>Reads every archive of every file in full, on each side's own copy and then on the other
        /// side's copy.</summary>
        private void Finish()
        {
            foreach (var kv in _files)
            {
                var reads = new List<JsonObject> { Ops.Fetch(kv.Key, 0, null, _now, null) };
                foreach (var a in kv.Value) reads.Add(Ops.Fetch(kv.Key, _now - a.Retention, null, _now, a.SecondsPerPoint));
                foreach (var op in reads)
                {
                    _ops.Add(op);
                    var cross = (JsonObject)op.DeepClone();
                    cross["other"] = true;
                    _ops.Add(cross);
                }
            }
        }
    }
}
