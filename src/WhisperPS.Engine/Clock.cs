using System;

namespace WhisperPS.Engine
{
    /// <summary>The wall clock in whisper's terms: whole Unix seconds, like int(time.time()).</summary>
    public static class Clock
    {
        public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }
}
