using System;

namespace WhisperPS.Engine
{
    /// <summary>Base of every error the engine raises on purpose (whisper's WhisperException).</summary>
    public class WhisperException : Exception
    {
        public WhisperException(string message) : base(message) { }
        public WhisperException(string message, Exception inner) : base(message, inner) { }

        /// <summary>" (path)" after a message about one file, the form CorruptWhisperFileException uses too.</summary>
        internal static string FileSuffix(string path) => string.IsNullOrEmpty(path) ? string.Empty : " (" + path + ")";
    }

    /// <summary>An archive list or retention definition that whisper would refuse.</summary>
    public class InvalidConfigurationException : WhisperException
    {
        public InvalidConfigurationException(string message) : base(message) { }
    }

    /// <summary>Create was asked for a file that already exists, without overwrite.</summary>
    public sealed class WhisperFileExistsException : InvalidConfigurationException
    {
        public WhisperFileExistsException(string path)
            : base("File " + path + " already exists!")
        {
            Path = path;
        }

        public string Path { get; }
    }

    /// <summary>An unknown aggregation method name or code.</summary>
    public sealed class InvalidAggregationMethodException : WhisperException
    {
        public InvalidAggregationMethodException(string message) : base(message) { }
    }

    /// <summary>An xFilesFactor that is not a number between 0 and 1.</summary>
    public sealed class InvalidXFilesFactorException : WhisperException
    {
        public InvalidXFilesFactorException(string message) : base(message) { }
    }

    /// <summary>A from/until pair in the wrong order.</summary>
    public sealed class InvalidTimeIntervalException : WhisperException
    {
        public InvalidTimeIntervalException(string message) : base(message) { }
    }

    /// <summary>A single update whose timestamp is in the future or older than the file's retention.</summary>
    public sealed class TimestampNotCoveredException : WhisperException
    {
        public TimestampNotCoveredException(string message) : base(message) { }
    }

    /// <summary>A timestamp that the format cannot hold (before 1970 or after 2106, the uint32 range).</summary>
    public sealed class InvalidTimestampException : WhisperException
    {
        public InvalidTimestampException(long timestamp, string path = null)
            : base("Timestamp " + timestamp + " cannot be stored: whisper timestamps are unsigned 32-bit seconds " +
                   "since 1970 (0 to " + uint.MaxValue + ", up to 2106-02-07)." + WhisperException.FileSuffix(path))
        {
            Timestamp = timestamp;
        }

        public long Timestamp { get; }
    }

    /// <summary>Two files whose archive layouts differ, so points cannot be copied slot for slot.</summary>
    public sealed class ArchiveMismatchException : WhisperException
    {
        public ArchiveMismatchException(string message) : base(message) { }
    }

    /// <summary>A file that is not a valid whisper file, with the path it came from.</summary>
    public sealed class CorruptWhisperFileException : WhisperException
    {
        public CorruptWhisperFileException(string error, string path)
            : base(error + " (" + path + ")")
        {
            Error = error;
            Path = path;
        }

        /// <summary>What is wrong, without the path.</summary>
        public string Error { get; }

        public string Path { get; }
    }
}

namespace WhisperPS.Engine
{
    /// <summary>A retention definition such as <c>10s:1d</c> that does not parse.</summary>
    public sealed class InvalidRetentionException : InvalidConfigurationException
    {
        public InvalidRetentionException(string message) : base(message) { }
    }
}
