namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// Names the Linux-only program a test needs, as the trait <c>Needs=&lt;program&gt;</c>. The Windows stage
    /// (build.ps1 TestWindows runs these same sources under Wine) excludes exactly the tests carrying one of these,
    /// so nothing is left out silently; the Linux run ignores the trait and runs everything.
    /// </summary>
    internal static class Needs
    {
        public const string Trait = "Needs";

        /// <summary>/usr/bin/python3 with python3-whisper (the reference implementation).</summary>
        public const string Python = "python";

        /// <summary>Debian's carbon-cache (graphite-carbon).</summary>
        public const string Carbon = "carbon";

        /// <summary>mount(8) of a tmpfs (disk full, read-only filesystem).</summary>
        public const string Mount = "mount";

        /// <summary>setpriv(1), to drop root's capabilities.</summary>
        public const string Setpriv = "setpriv";
    }
}
