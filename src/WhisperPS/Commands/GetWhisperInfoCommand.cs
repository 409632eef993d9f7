using System.Management.Automation;

namespace WhisperPS.Commands
{
    /// <summary>Get-WhisperInfo: the header, archives and size of whisper files, one object per file.</summary>
    [Cmdlet(VerbsCommon.Get, "WhisperInfo", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class GetWhisperInfoCommand : WhisperFileInputCmdlet
    {
        protected override void ProcessRecord()
        {
            foreach (var file in ResolveInputFiles())
            {
                ThrowIfStopping();
                WriteVerbose("Reading the header of '" + file.Path + "'.");
                WriteInfo(file.Path);
            }
        }
    }
}
