using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace WhisperPS.Commands
{
    /// <summary>A resolved filesystem path, and whether a wildcard produced it.</summary>
    internal readonly struct ResolvedFile
    {
        internal ResolvedFile(string path, bool fromWildcard, bool isFolder = false)
        {
            Path = path;
            FromWildcard = fromWildcard;
            IsFolder = isFolder;
        }

        internal string Path { get; }

        internal bool FromWildcard { get; }

        /// <summary>A folder, returned only when the caller asked for folders (Export-WhisperSeries -Recurse).</summary>
        internal bool IsFolder { get; }
    }

    /// <summary>
    /// What every WhisperPS cmdlet shares: Ctrl+C handling, Path/LiteralPath resolution through the provider,
    /// and the mapping of engine and I/O exceptions to per-file errors.
    /// </summary>
    public abstract class WhisperCmdlet : PSCmdlet, IDisposable
    {
        internal const string PathSet = "Path";
        internal const string LiteralPathSet = "LiteralPath";

        // Windows file names compare case-insensitively; elsewhere a.wsp and A.wsp are two files.
        internal static readonly StringComparer PathComparer =
            System.IO.Path.DirectorySeparatorChar == '\\' ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();

        /// <summary>Cancelled by Ctrl+C, Select-Object -First and PowerShell.Stop().</summary>
        protected CancellationToken CancellationToken => _cancellation.Token;

        protected override void StopProcessing()
        {
            _cancellation.Cancel();
        }

        public void Dispose()
        {
            Dispose(true);
            _cancellation.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases what a cmdlet holds open (e.g. an output file), also after Ctrl+C or an error.</summary>
        protected virtual void Dispose(bool disposing)
        {
        }

        private bool? _verboseWanted;

        /// <summary>Whether verbose messages are shown (-Verbose, or $VerbosePreference), decided once: per-file
        /// messages that take work to compose are only composed then.</summary>
        protected bool VerboseWanted
        {
            get
            {
                if (_verboseWanted == null) _verboseWanted = VerbosePreferenceShows();
                return _verboseWanted.Value;
            }
        }

        private bool VerbosePreferenceShows()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out object given))
                return given is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(given);
            object preference = GetVariableValue("VerbosePreference");
            if (preference == null) return false;
            if (preference is ActionPreference a) return a != ActionPreference.SilentlyContinue && a != ActionPreference.Ignore;
            return LanguagePrimitives.TryConvertTo(preference, out ActionPreference p)
                ? p != ActionPreference.SilentlyContinue && p != ActionPreference.Ignore
                : true;
        }

        /// <summary>Stops the pipeline, not with an error, once the user has asked to stop.</summary>
        protected void ThrowIfStopping()
        {
            if (_cancellation.IsCancellationRequested) throw new PipelineStoppedException();
        }

        /// <summary>True when the caller gave the parameter on the command line (or it was bound so far).</summary>
        protected bool IsBound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

        /// <summary>
        /// Resolves -Path (wildcards) or -LiteralPath to existing files, writing one error per input that is not
        /// a FileSystem path or names nothing. A wildcard that matches nothing is not an error, as in Get-Item.
        /// With <paramref name="folders"/>, a folder named or matched is returned as such instead. The errors go to
        /// <paramref name="error"/> when given (to be written later, in order), else straight to WriteError.
        /// </summary>
        internal List<ResolvedFile> ResolveExistingFiles(string[] paths, bool literal, bool folders = false, Action<ErrorRecord> error = null)
        {
            var WriteError = error ?? this.WriteError;
            var result = new List<ResolvedFile>();
            var seen = new HashSet<string>(PathComparer);
            if (paths == null) return result;
            foreach (string p in paths)
            {
                if (string.IsNullOrEmpty(p)) continue;
                bool wildcard = !literal && WildcardPattern.ContainsWildcardCharacters(p);
                List<string> files;
                ProviderInfo provider;
                try
                {
                    // A -Path without wildcards or escapes names one file like a literal path, and takes the same
                    // shortcut: a script block that computes a replica per file (Repair-WhisperFile -Source) would
                    // otherwise pay the provider's resolution, which reads the mount table, for every file.
                    if ((literal || (!wildcard && p.IndexOf('`') < 0)) && TryFileSystemPath(p, out string direct))
                    {
                        files = new List<string> { direct };
                        provider = null;
                    }
                    else if (literal)
                    {
                        files = new List<string> { SessionState.Path.GetUnresolvedProviderPathFromPSPath(p, out provider, out _) };
                    }
                    else
                    {
                        files = new List<string>(SessionState.Path.GetResolvedProviderPathFromPSPath(p, out provider));
                    }
                }
                catch (ItemNotFoundException)
                {
                    WriteError(WhisperErrors.FileNotFound(p, p));
                    continue;
                }
                catch (System.Management.Automation.DriveNotFoundException)
                {
                    WriteError(WhisperErrors.FileNotFound(p, p));
                    continue;
                }
                catch (ProviderNotFoundException)
                {
                    WriteError(WhisperErrors.NotFileSystem(p, "unknown"));
                    continue;
                }
                if (provider != null && !IsFileSystem(provider))
                {
                    WriteError(WhisperErrors.NotFileSystem(p, provider.Name));
                    continue;
                }
                foreach (string file in files)
                {
                    if (!File.Exists(file))
                    {
                        if (folders && Directory.Exists(file))
                        {
                            if (seen.Add(file)) result.Add(new ResolvedFile(file, wildcard, true));
                            continue;
                        }
                        // A folder matched by a wildcard (Get-WhisperInfo *) is simply not a whisper file.
                        if (wildcard && Directory.Exists(file)) continue;
                        WriteError(Directory.Exists(file)
                            ? WhisperErrors.Create(new FileNotFoundException("'" + file + "' is a folder, not a whisper file.", file),
                                ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, file)
                            : WhisperErrors.FileNotFound(file, p));
                        continue;
                    }
                    if (seen.Add(file)) result.Add(new ResolvedFile(file, wildcard));
                }
            }
            return result;
        }

        private const string FileSystemPrefix = @"Microsoft.PowerShell.Core\FileSystem::";

        /// <summary>
        /// The provider path of a literal path that needs no provider to resolve: a FileInfo's PSPath
        /// (Microsoft.PowerShell.Core\FileSystem::/a/b.wsp) or a fully qualified path, without . or .. segments. The
        /// provider's resolution costs more than reading a small file, which a tree of thousands of files pays per file.
        /// </summary>
        internal static bool TryFileSystemPath(string p, out string path)
        {
            path = p.StartsWith(FileSystemPrefix, StringComparison.OrdinalIgnoreCase) ? p.Substring(FileSystemPrefix.Length) : p;
            bool qualified = System.IO.Path.DirectorySeparatorChar == '\\'
                ? path.Length >= 3 && char.IsLetter(path[0]) && path[1] == ':' && (path[2] == '\\' || path[2] == '/')
                : path.Length >= 1 && path[0] == '/';
            if (qualified && path.IndexOf("/.", StringComparison.Ordinal) < 0 && path.IndexOf("\\.", StringComparison.Ordinal) < 0 &&
                path.IndexOf("//", StringComparison.Ordinal) < 0 && path.IndexOf("\\\\", StringComparison.Ordinal) < 0 && path.IndexOf('*') < 0 && path.IndexOf('?') < 0)
                return true;
            path = null;
            return false;
        }

        /// <summary>Resolves a path for a file that may not exist yet, literally (no wildcards), as New-Item does.
        /// Returns null after writing an error when the path is not on the FileSystem provider.</summary>
        internal string ResolveNewFile(string path, out ErrorRecord error)
        {
            error = null;
            ProviderInfo provider;
            string full;
            try
            {
                full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
            }
            catch (System.Management.Automation.DriveNotFoundException ex)
            {
                error = WhisperErrors.Create(ex, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, path);
                return null;
            }
            catch (ProviderNotFoundException)
            {
                error = WhisperErrors.NotFileSystem(path, "unknown");
                return null;
            }
            if (!IsFileSystem(provider))
            {
                error = WhisperErrors.NotFileSystem(path, provider.Name);
                return null;
            }
            return full;
        }

        private static bool IsFileSystem(ProviderInfo provider)
        {
            return provider != null && string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>
        /// Writes the per-file error for an engine or I/O exception. Anything else is a bug and is rethrown with
        /// its stack, never dressed up as a file problem.
        /// </summary>
        internal void WriteFileError(Exception ex, string path, FileAccessIntent intent)
        {
            var record = WhisperErrors.FromException(ex, path, intent);
            if (record == null) ExceptionDispatchInfo.Capture(ex).Throw();
            WriteError(record);
        }

        /// <summary>Writes the file's header as a WhisperInfo, or the error that kept it from being read.</summary>
        internal void WriteInfo(string path, string metric = null)
        {
            WhisperInfo info;
            try
            {
                info = WhisperInfo.Read(path, metric);
            }
            catch (Exception ex) when (WhisperErrors.IsFileError(ex))
            {
                WriteFileError(ex, path, FileAccessIntent.Read);
                return;
            }
            WriteObject(info);
        }

        /// <summary>Unix seconds of "now" for this call: -Now resolved against the clock, or the clock.</summary>
        internal static long ResolveNow(bool given, WhisperTime now)
        {
            long clock = Engine.Clock.UnixNow();
            return given ? now.Resolve(clock) : clock;
        }

        internal static string FormatUnix(long unixTime)
        {
            if (unixTime < 0 || unixTime > 253402300799L) return unixTime.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return DateTimeOffset.FromUnixTimeSeconds(unixTime).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) +
                   " (" + unixTime.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
        }
    }
}
