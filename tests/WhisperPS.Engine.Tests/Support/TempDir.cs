using System;
using System.IO;

namespace WhisperPS.Engine.Tests.Support
{
    /// <summary>A fresh directory per test, removed afterwards, so tests never see each other's files.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "whisperps-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        /// <summary>Every entry in the directory, hidden temporaries included.</summary>
        public string[] Entries() => Directory.GetFileSystemEntries(Path);

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
