using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS.Commands
{
    /// <summary>New-WhisperFile: creates whisper files, as whisper-create does, and outputs their info.</summary>
    [Cmdlet(VerbsCommon.New, "WhisperFile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(WhisperInfo))]
    public sealed class NewWhisperFileCommand : WhisperCmdlet
    {
        private List<ArchiveSpec> _archives;
        private string _retentionText;

        /// <summary>Files to create. Taken literally: they do not exist yet, so there is nothing to match.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>Archives as precision:retention, e.g. '10s:1d','1m:7d' or '10s:1d,1m:7d'.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ArgumentCompleter(typeof(RetentionCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] Retention { get; set; }

        [Parameter]
        [AggregationMethodTransformation]
        public AggregationMethod AggregationMethod { get; set; } = AggregationMethod.Average;

        [Parameter]
        [ValidateRange(0.0, 1.0)]
        public double XFilesFactor { get; set; } = 0.5;

        /// <summary>Leave the data area unallocated (whisper-create --sparse).</summary>
        [Parameter]
        public SwitchParameter Sparse { get; set; }

        /// <summary>Reserve the disk blocks up front where the OS can (whisper-create --fallocate).</summary>
        [Parameter]
        public SwitchParameter Preallocate { get; set; }

        /// <summary>Replace existing files, rewritten in place under their lock (owner, group and mode kept).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void BeginProcessing()
        {
            // Validated once, before any file: an invalid schema means nothing can be created.
            try
            {
                _archives = Engine.Retention.Validate(Engine.Retention.ParseList(Retention));
            }
            catch (InvalidConfigurationException ex)
            {
                ThrowTerminatingError(WhisperErrors.Create(ex, ErrorIds.RetentionInvalid, ErrorCategory.InvalidArgument, Retention));
            }
            var parts = new string[_archives.Count];
            for (int i = 0; i < parts.Length; i++) parts[i] = Engine.Retention.Format(_archives[i]);
            _retentionText = string.Join(",", parts);
        }

        protected override void ProcessRecord()
        {
            var seen = new HashSet<string>(PathComparer);
            foreach (string p in ParameterSetName == LiteralPathSet ? LiteralPath : Path)
            {
                ThrowIfStopping();
                string path = ResolveNewFile(p, out var resolveError);
                if (path == null)
                {
                    WriteError(resolveError);
                    continue;
                }
                if (!seen.Add(path)) continue;

                bool exists = File.Exists(path) || Directory.Exists(path);
                if (exists && !Force)
                {
                    WriteError(WhisperErrors.Create(new WhisperFileExistsException(path), ErrorIds.FileExists, ErrorCategory.ResourceExists, path));
                    continue;
                }
                string action = (exists ? "Overwrite whisper file" : "Create whisper file") + " (" + _retentionText + ", " +
                                Aggregation.ToWhisperName(AggregationMethod) + ", xFilesFactor " +
                                XFilesFactor.ToString("R", CultureInfo.InvariantCulture) + ")";
                if (!ShouldProcess(path, action)) continue;

                WhisperInfo info;
                try
                {
                    WhisperFile.Create(path, _archives, XFilesFactor, AggregationMethod,
                        new CreateOptions { Sparse = Sparse, Preallocate = Preallocate, Overwrite = Force });
                    info = WhisperInfo.Read(path);
                }
                catch (Exception ex) when (WhisperErrors.IsFileError(ex))
                {
                    WriteFileError(ex, path, FileAccessIntent.Write);
                    continue;
                }
                WriteVerbose(action.Replace("Create whisper file", "Created").Replace("Overwrite whisper file", "Overwrote") + ": '" + path + "'.");
                WriteObject(info);
            }
        }
    }
}
