using System;
using System.Collections.Generic;
using System.Management.Automation;
using WhisperPS.Engine;
using WhisperPS.Engine.IO;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Get-WhisperSlot: every raw slot of an archive in file order (whisper-dump), for looking inside a file. The
    /// objects are WhisperSlot, not points; see WhisperSlot for why they do not feed Add-WhisperPoint.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "WhisperSlot", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(WhisperSlot))]
    public sealed class GetWhisperSlotCommand : WhisperFileInputCmdlet
    {
        /// <summary>Archive indexes to dump (0 = finest). Default: every archive, finest first.</summary>
        [Parameter(Position = 1)]
        [ValidateRange(0, int.MaxValue)]
        public int[] Archive { get; set; }

        /// <summary>Leave out slots never written (stored time 0).</summary>
        [Parameter]
        public SwitchParameter SkipEmpty { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                var dumps = new List<RawSlots>();
                try
                {
                    // Read everything asked for, then close: a slow consumer never holds the file's lock.
                    using (var f = WhisperFile.Open(file.Path, FileOpenMode.Read))
                    {
                        int count = f.Header.Archives.Count;
                        bool bad = false;
                        foreach (int a in Archive ?? AllArchives(count))
                        {
                            if (a >= count)
                            {
                                WriteError(WhisperErrors.Create(
                                    new ArgumentOutOfRangeException(nameof(Archive), a, "'" + file.Path + "' has " + count +
                                        " archive(s); -Archive must be between 0 and " + (count - 1) + "."),
                                    ErrorIds.ArchiveInvalid, ErrorCategory.InvalidArgument, file.Path));
                                bad = true;
                                break;
                            }
                            dumps.Add(f.ReadRawSlots(a));
                        }
                        if (bad) continue;
                    }
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Read);
                    continue;
                }
                foreach (var d in dumps)
                {
                    long step = d.Info.SecondsPerPoint;
                    for (int i = 0; i < d.Timestamps.Length; i++)
                    {
                        if ((i & 1023) == 0) ThrowIfStopping();
                        if (SkipEmpty && d.Timestamps[i] == 0) continue;
                        WriteObject(new WhisperSlot(file.Path, d.Archive, step, i, d.Timestamps[i], d.Values[i]));
                    }
                }
            }
        }

        private static IEnumerable<int> AllArchives(int count)
        {
            for (int i = 0; i < count; i++) yield return i;
        }
    }
}
