using System.Collections.Generic;
using System.Management.Automation;

namespace WhisperPS.Commands
{
    /// <summary>
    /// A cmdlet that works on existing whisper files taken from -Path (wildcards) or -LiteralPath, both bound from
    /// the pipeline, so <c>Get-ChildItem *.wsp | Get-WhisperInfo</c> binds each FileInfo by its PSPath.
    /// Add-WhisperPoint declares its own, because its pipeline carries points, not files.
    /// </summary>
    public abstract class WhisperFileInputCmdlet : WhisperCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>The first path this record gives, as typed: the target of an error about the record itself.</summary>
        internal string FirstInputPath
        {
            get
            {
                var paths = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
                return paths != null && paths.Length > 0 ? paths[0] : null;
            }
        }

        /// <summary>The files this record names, resolved through the provider; errors for missing ones are written.</summary>
        internal IEnumerable<ResolvedFile> ResolveInputFiles()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            return ResolveExistingFiles(literal ? LiteralPath : Path, literal);
        }
    }
}
