using System;

namespace WhisperPS.Engine
{
    /// <summary>A file's lock was not granted within the time the caller allowed (another process, such as
    /// carbon-cache or a long read, holds it).</summary>
    public sealed class LockTimeoutException : WhisperException
    {
        public LockTimeoutException(string path, bool exclusive, TimeSpan timeout)
            : base("Could not get " + (exclusive ? "the exclusive (write)" : "a shared (read)") + " lock on '" + path + "' within " +
                   timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) +
                   " s: another process holds " + (exclusive ? "a lock on it" : "its write lock") + ".")
        {
            Path = path;
            Timeout = timeout;
        }

        public string Path { get; }

        public TimeSpan Timeout { get; }
    }
}
