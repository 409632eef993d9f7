using System;
using System.Globalization;

namespace WhisperPS.Engine.Tests
{
    /// <summary>
    /// How many kills a crash test makes: its own number, or fewer when WHISPERPS_KILLS says so. The Windows stage
    /// under Wine asks for fewer, since every victim is a new Wine process that takes seconds to start.
    /// </summary>
    internal static class KillCount
    {
        public static int Of(int normal) =>
            Environment.GetEnvironmentVariable("WHISPERPS_KILLS") is string s ? Math.Min(normal, int.Parse(s, CultureInfo.InvariantCulture)) : normal;
    }
}
