using System;
using System.Management.Automation;

namespace WhisperPS.Commands
{
    /// <summary>Get-WhisperInfo: the header, archives and size of whisper files, one object per file.</summary>
    [Cmdlet(VerbsCommon.Get, "WhisperInfo", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class GetWhisperInfoCommand : WhisperCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var file in ResolveExistingFiles(literal ? LiteralPath : Path, literal))
            {
                ThrowIfStopping();
                WriteVerbose("Reading the header of '" + file.Path + "'.");
                WhisperInfo info;
                try
                {
                    info = WhisperInfo.Read(file.Path);
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, file.Path, FileAccessIntent.Read);
                    continue;
                }
                WriteObject(info);
            }
        }
    }
}
