using System.Runtime.InteropServices;
using Xunit.Sdk;

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

        /// <summary>Debian's graphite-carbon: carbon-cache, or carbon's own Python modules.</summary>
        public const string Carbon = "carbon";

        /// <summary>carbon-c-relay (its test mode places metrics).</summary>
        public const string CarbonCRelay = "carbon-c-relay";

        /// <summary>mount(8) of a tmpfs (disk full, read-only filesystem).</summary>
        public const string Mount = "mount";

        /// <summary>setpriv(1), to drop root's capabilities.</summary>
        public const string Setpriv = "setpriv";

        /// <summary>Unix file semantics Windows does not have: owner, group, mode and inode (through stat(1) and
        /// chown(1)), and renaming over a file another process holds open.</summary>
        public const string Posix = "posix";

        /// <summary>
        /// Called before a test starts a Linux program. A Windows process (the Windows stage, under Wine) cannot use
        /// one: Wine does start it, but the test then waits forever for an exit or an end of output that never
        /// arrives, which is how the Windows stage used to stall. Fail at once instead, naming the program, so a test
        /// that lacks its Needs trait is a visible failure, not a hang.
        /// </summary>
        public static void LinuxProgram(string program)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                throw new XunitException("this test starts the Linux program " + program + ", which a Windows process cannot run: " +
                    "give it [Trait(Needs.Trait, ...)] so the Windows stage leaves it out");
        }
    }
}
