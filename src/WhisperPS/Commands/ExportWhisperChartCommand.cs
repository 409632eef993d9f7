using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using WhisperPS.Charts;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Export-WhisperChart: a line chart of whisper series as a self-contained SVG file, or an HTML page holding
    /// it (by the output file's extension). No scripts and nothing fetched when it is viewed. -Path/-LiteralPath
    /// name the output file, as for Export-Csv; the whisper files come from -InputPath, -LiteralInputPath or the
    /// pipeline (Get-ChildItem), or piped points from Get-WhisperSeries.
    /// </summary>
    [Cmdlet(VerbsData.Export, "WhisperChart", DefaultParameterSetName = InputPathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportWhisperChartCommand : WhisperChartCmdlet
    {
        private const string InputPathSet = "InputPath";
        private const string LiteralInputPathSet = "LiteralInputPath";

        private string _output;

        /// <summary>The chart file (.svg, or .html/.htm for a page). Taken literally, as a new file name is.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public new string Path { get; set; }

        /// <summary>The chart file, literally; the same as -Path.</summary>
        [Parameter]
        [Alias("LP")]
        [ValidateNotNullOrEmpty]
        public new string LiteralPath { get; set; }

        /// <summary>Whisper files to draw; wildcards allowed.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputPathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] InputPath { get; set; }

        /// <summary>Whisper files to draw, literally; FileInfo from Get-ChildItem binds here by its PSPath.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralInputPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LIP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralInputPath { get; set; }

        /// <summary>A title above the chart.</summary>
        [Parameter]
        public string Title { get; set; }

        /// <summary>Width in pixels.</summary>
        [Parameter]
        [ValidateRange(100, 20000)]
        public int Width { get; set; } = 960;

        /// <summary>Height in pixels, legend included.</summary>
        [Parameter]
        [ValidateRange(100, 20000)]
        public int Height { get; set; } = 420;

        /// <summary>Replace a read-only file too.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Do not replace an existing file.</summary>
        [Parameter]
        [Alias("NoOverwrite")]
        public SwitchParameter NoClobber { get; set; }

        /// <summary>Output the written file.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        internal override int PlotColumns => SvgChartWriter.PlotColumns(Width);

        protected override void BeginProcessing()
        {
            if (IsBound(nameof(Path)) == IsBound(nameof(LiteralPath)))
                ThrowTerminatingError(WhisperErrors.Create(new ArgumentException("Give the chart file with -Path or with -LiteralPath (one of them)."),
                    ErrorIds.ChartOutputInvalid, ErrorCategory.InvalidArgument, null));
            string given = IsBound(nameof(Path)) ? Path : LiteralPath;
            _output = ResolveNewFile(given, out var error);
            if (_output == null) ThrowTerminatingError(error);
            string ext = System.IO.Path.GetExtension(_output).ToLowerInvariant();
            if (ext != ".svg" && ext != ".html" && ext != ".htm")
                ThrowTerminatingError(WhisperErrors.Create(
                    new ArgumentException("'" + _output + "': the chart file must end in .svg, .html or .htm."),
                    ErrorIds.ChartOutputInvalid, ErrorCategory.InvalidArgument, given));
            if (NoClobber && File.Exists(_output))
                ThrowTerminatingError(WhisperErrors.Create(
                    new IOException("'" + _output + "' exists and -NoClobber was given."),
                    ErrorIds.FileExists, ErrorCategory.ResourceExists, _output));
            base.BeginProcessing();
        }

        internal override IEnumerable<ResolvedFile> ChartInputFiles()
        {
            bool literal = ParameterSetName == LiteralInputPathSet;
            return ResolveExistingFiles(literal ? LiteralInputPath : InputPath, literal);
        }

        protected override void EndProcessing()
        {
            var layout = CollectLayout();
            if (layout == null) return;
            if (!ShouldProcess(_output, "Write a chart of " + layout.Series.Count + " series")) return;
            string ext = System.IO.Path.GetExtension(_output).ToLowerInvariant();
            string text = SvgChartWriter.Write(layout, Width, Height, Title, ext != ".svg");
            try
            {
                if (Force && File.Exists(_output))
                {
                    var existing = new FileInfo(_output);
                    if (existing.IsReadOnly) existing.IsReadOnly = false;
                }
                File.WriteAllText(_output, text, new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(WhisperErrors.Create(ex,
                    ex is UnauthorizedAccessException ? ErrorIds.AccessDenied : ErrorIds.WriteError,
                    ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, _output));
            }
            WriteVerbose("Wrote '" + _output + "' (" + layout.Series.Count + " series, " + PlotColumns + " columns).");
            if (PassThru) WriteObject(new FileInfo(_output));
        }
    }
}
