using System;
using System.Collections.Generic;
using System.IO;

namespace WhisperPS.Commands
{
    /// <summary>
    /// The *.wsp files below a folder, found without the provider (which costs more per file than a small fill): a
    /// folder's files in ordinal order of their names, then its subfolders the same way. As Get-ChildItem -Recurse
    /// without -Force and -FollowSymlink: hidden files and folders are skipped and links to folders are not followed.
    /// A folder that cannot be listed is passed to the error callback and skipped.
    /// </summary>
    internal static class WspTree
    {
        private static readonly bool NameTellsHidden =
            System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux);

        internal static IEnumerable<string> FilesBelow(string folder, Action<Exception, string> error)
        {
            var files = new List<string>();
            var folders = new List<string>();
            Exception failed = null;
            try
            {
                foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
                {
                    if (!(entry is DirectoryInfo))
                    {
                        // A file: its name first, then (only for a .wsp) whether it is hidden. On Linux that is a
                        // leading dot, as .NET defines it there, known without the stat its Attributes would cost.
                        if (!entry.Name.EndsWith(".wsp", WhisperCmdlet.PathComparer == StringComparer.Ordinal ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
                            continue;
                        bool hidden = NameTellsHidden ? entry.Name[0] == '.' : (entry.Attributes & FileAttributes.Hidden) != 0;
                        if (!hidden) files.Add(entry.FullName);
                        continue;
                    }
                    var attributes = entry.Attributes;
                    if ((attributes & FileAttributes.Hidden) != 0) continue;
                    if ((attributes & FileAttributes.ReparsePoint) == 0) folders.Add(entry.FullName);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is System.Security.SecurityException)
            {
                failed = ex is System.Security.SecurityException ? new UnauthorizedAccessException(ex.Message, ex) : ex;
            }
            if (failed != null)
            {
                error(failed, folder);
                yield break;
            }
            files.Sort(StringComparer.Ordinal);
            folders.Sort(StringComparer.Ordinal);
            foreach (string file in files) yield return file;
            foreach (string sub in folders)
                foreach (string file in FilesBelow(sub, error))
                    yield return file;
        }
    }
}
