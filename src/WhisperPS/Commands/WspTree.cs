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
                if (NameTellsHidden)
                {
                    // Linux: names only (the directory entry says file or folder), so a file costs no stat; a hidden
                    // entry is one whose name starts with a dot, as .NET defines it there.
                    foreach (string path in Directory.EnumerateFiles(folder))
                    {
                        string name = Path.GetFileName(path);
                        if (name[0] != '.' && name.EndsWith(".wsp", StringComparison.Ordinal)) files.Add(path);
                    }
                    foreach (string path in Directory.EnumerateDirectories(folder))
                    {
                        if (Path.GetFileName(path)[0] == '.') continue;
                        if ((new DirectoryInfo(path).Attributes & FileAttributes.ReparsePoint) == 0) folders.Add(path);
                    }
                }
                else
                {
                    foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
                    {
                        var attributes = entry.Attributes;
                        if ((attributes & FileAttributes.Hidden) != 0) continue;
                        if ((attributes & FileAttributes.Directory) != 0)
                        {
                            if ((attributes & FileAttributes.ReparsePoint) == 0) folders.Add(entry.FullName);
                        }
                        else if (entry.Name.EndsWith(".wsp", WhisperCmdlet.PathComparer == StringComparer.Ordinal ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
                        {
                            files.Add(entry.FullName);
                        }
                    }
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
