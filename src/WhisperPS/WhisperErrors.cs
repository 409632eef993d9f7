using System;
using System.IO;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS
{
    /// <summary>What a failed operation was doing, so an IOException becomes ReadError or WriteError.</summary>
    internal enum FileAccessIntent
    {
        Read,
        Write,
    }

    /// <summary>Builds the ErrorRecords WhisperPS writes: stable ErrorIds, categories and targets.</summary>
    internal static class WhisperErrors
    {
        internal static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object target)
        {
            return new ErrorRecord(exception, errorId, category, target);
        }

        /// <summary>
        /// Maps the exceptions a file operation can raise to a record. Returns null for anything else, which is a
        /// bug and must surface as such rather than be reported as a per-file problem.
        /// </summary>
        internal static ErrorRecord FromException(Exception ex, string path, FileAccessIntent intent)
        {
            switch (ex)
            {
                case LockTimeoutException _:
                    return Create(ex, ErrorIds.LockTimeout, ErrorCategory.ResourceBusy, path);
                case CorruptWhisperFileException _:
                    return Create(ex, ErrorIds.FileCorrupt, ErrorCategory.InvalidData, path);
                case WhisperFileExistsException _:
                    return Create(ex, ErrorIds.FileExists, ErrorCategory.ResourceExists, path);
                case InvalidXFilesFactorException _:
                    return Create(ex, ErrorIds.XFilesFactorInvalid, ErrorCategory.InvalidArgument, path);
                case InvalidConfigurationException _:
                    return Create(ex, ErrorIds.RetentionInvalid, ErrorCategory.InvalidArgument, path);
                case ArchiveMismatchException _:
                    return Create(ex, ErrorIds.ArchiveMismatch, ErrorCategory.InvalidData, path);
                case InvalidTimestampException _:
                    return Create(ex, ErrorIds.TimestampInvalid, ErrorCategory.InvalidArgument, path);
                case InvalidTimeIntervalException _:
                    return Create(ex, ErrorIds.TimeIntervalInvalid, ErrorCategory.InvalidArgument, path);
                case TimestampNotCoveredException _:
                    return Create(ex, ErrorIds.PointNotCovered, ErrorCategory.InvalidData, path);
                case FileNotFoundException _:
                case DirectoryNotFoundException _:
                    return Create(ex, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, path);
                case UnauthorizedAccessException _:
                    return Create(ex, ErrorIds.AccessDenied, ErrorCategory.PermissionDenied, path);
                case IOException _:
                    return intent == FileAccessIntent.Write
                        ? Create(ex, ErrorIds.WriteError, ErrorCategory.WriteError, path)
                        : Create(ex, ErrorIds.ReadError, ErrorCategory.ReadError, path);
                default:
                    return null;
            }
        }

        /// <summary>True for the exceptions <see cref="FromException"/> reports per file.</summary>
        internal static bool IsFileError(Exception ex)
        {
            return ex is WhisperException || ex is IOException || ex is UnauthorizedAccessException;
        }

        internal static ErrorRecord FileNotFound(string path, string shownPath)
        {
            var ex = new FileNotFoundException("Cannot find path '" + shownPath + "' because it does not exist.", path);
            return Create(ex, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, path);
        }

        internal static ErrorRecord NotFileSystem(string path, string providerName)
        {
            var ex = new ArgumentException("The path '" + path + "' belongs to the " + providerName +
                " provider. WhisperPS works on files only: use a FileSystem path.");
            return Create(ex, ErrorIds.PathNotFileSystem, ErrorCategory.InvalidArgument, path);
        }
    }
}
