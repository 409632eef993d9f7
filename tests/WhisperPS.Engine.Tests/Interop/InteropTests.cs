using System.Linq;
using WhisperPS.Engine.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace WhisperPS.Engine.Tests.Interop
{
    /// <summary>
    /// Random workloads run by the engine and by python3-whisper 1.1.4 must leave byte-identical files after
    /// every op, return identical fetches (timeInfo and every value's bits, None vs null), fail in the same
    /// places, and read each other's files identically. A failure names the seed; set WHISPERPS_INTEROP_SEED
    /// to replay just that case.
    /// </summary>
    [Trait(Needs.Trait, Needs.Python)]
    [Collection(PythonCollection.Name)]
    public sealed class InteropTests
    {
        private readonly PythonWhisperFixture _python;
        private readonly ITestOutputHelper _output;

        public InteropTests(PythonWhisperFixture python, ITestOutputHelper output)
        {
            _python = python;
            _output = output;
        }

        [Fact]
        public void RandomWorkloadsMatchPython()
        {
            string n = InteropRunner.Run(_python, InteropRunner.Seeds(100_000, 250).Select(Workloads.Workload));
            _output.WriteLine("workloads: " + n);
        }

        [Fact]
        public void RandomSetAggregationMatchesPython()
        {
            string n = InteropRunner.Run(_python, InteropRunner.Seeds(200_000, 60).Select(Workloads.SetAggregationCase));
            _output.WriteLine("set-aggregation: " + n);
        }

        [Fact]
        public void RandomMergesMatchPython()
        {
            string n = InteropRunner.Run(_python, InteropRunner.Seeds(300_000, 100).Select(Workloads.MergeCase));
            _output.WriteLine("merge: " + n);
        }
    }
}
