using System.Runtime.CompilerServices;

namespace WhisperPS.Engine
{
    /// <summary>How hot engine loops ask the JIT for full optimization at once.</summary>
    internal static class Jit
    {
        // MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name; older runtimes ignore it. For
        // code run once per file: a batch of a thousand files is over before the tiered JIT would have optimized it
        // (a resize of 1,000 files ran a third slower when it started in tier-0 code).
        internal const MethodImplOptions Optimize = (MethodImplOptions)512;
    }
}
