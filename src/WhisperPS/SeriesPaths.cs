using System;
using System.Collections.Generic;

namespace WhisperPS
{
    /// <summary>Where a set of series files sit, for naming them by what tells them apart (wide export columns,
    /// chart legends).</summary>
    internal static class SeriesPaths
    {
        /// <summary>The deepest folder holding every one of <paramref name="paths"/> (empty when they share none).</summary>
        internal static string CommonFolder(IEnumerable<string> paths)
        {
            string common = null;
            foreach (var p in paths)
            {
                string dir = System.IO.Path.GetDirectoryName(p) ?? string.Empty;
                if (common == null) { common = dir; continue; }
                while (common.Length > 0 && !IsUnder(dir, common))
                    common = System.IO.Path.GetDirectoryName(common) ?? string.Empty;
            }
            return common ?? string.Empty;
        }

        /// <summary><paramref name="path"/> below <paramref name="folder"/>, without a leading separator.</summary>
        internal static string Below(string path, string folder) => path.Substring(folder.Length).TrimStart('/', '\\');

        private static bool IsUnder(string dir, string folder)
        {
            if (!dir.StartsWith(folder, StringComparison.Ordinal)) return false;
            return dir.Length == folder.Length || dir[folder.Length] == '/' || dir[folder.Length] == '\\' ||
                   folder.EndsWith("/", StringComparison.Ordinal) || folder.EndsWith("\\", StringComparison.Ordinal);
        }
    }
}
