using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using WhisperPS.Engine.Tests.Support;
using Xunit;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// update_many propagates coarse intervals in CPython's set iteration order, and an empty coarse archive is
    /// anchored at the first one, so the emulation must equal <c>list(set(xs))</c> exactly.
    /// </summary>
    [Trait(Needs.Trait, Needs.Python)]
    [Collection(PythonCollection.Name)]
    public sealed class PythonSetOrderTests
    {
        private readonly PythonWhisperFixture _python;

        public PythonSetOrderTests(PythonWhisperFixture python) => _python = python;

        [Fact]
        public void SmallIntsIterateInHashOrder()
        {
            // hash(n) == n, table of 8: 9 -> slot 1, 3 -> slot 3, 5 -> slot 5.
            Assert.Equal(new long[] { 9, 3, 5 }, PythonSetOrder.Of(new long[] { 5, 3, 9, 3 }));
        }

        [Fact]
        public void MatchesCPythonForManyRandomLists()
        {
            var rnd = new Random(7);
            var lists = new List<long[]>();
            for (int i = 0; i < 400; i++)
            {
                int n = i < 300 ? rnd.Next(0, 60) : rnd.Next(60, 5000);
                long step = new long[] { 1, 10, 60, 300, 3600, 86400 }[rnd.Next(6)];
                long start = 1_000_000_000 + rnd.Next(0, 1_000_000_000);
                start -= start % step;
                int spread = rnd.Next(1, 3 * n + 2);
                // Aligned intervals as update_many produces them, with repeats; some lists of small or huge ints.
                long[] xs = rnd.Next(5) == 0
                    ? Enumerable.Range(0, n).Select(_ => (long)rnd.Next(0, 1000)).ToArray()
                    : Enumerable.Range(0, n).Select(_ => start + step * rnd.Next(0, spread)).ToArray();
                if (i % 50 == 1) xs = xs.Select(x => x + (long)uint.MaxValue - 2_000_000_000).ToArray();
                lists.Add(xs);
            }
            string json = JsonSerializer.Serialize(lists);
            string output = _python.RunCode("import json, sys\nprint(json.dumps([list(set(xs)) for xs in json.load(sys.stdin)]))", json);
            var expected = JsonSerializer.Deserialize<List<long[]>>(output);
            Assert.Equal(lists.Count, expected.Count);
            for (int i = 0; i < lists.Count; i++)
                Assert.True(expected[i].SequenceEqual(PythonSetOrder.Of(lists[i])),
                    "list " + i + " (" + lists[i].Length + " values) iterates differently from CPython");
        }
    }
}
