using System;
using System.Management.Automation;
using WhisperPS.Charts;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Show-WhisperChart: a line chart of whisper series as text, for the terminal. Braille dots (2 × 4 per
    /// character) by default, -Ascii for consoles without them; as wide and tall as the console (80 × 20 when the
    /// output is redirected). Writes the chart's lines as strings, so it can also go to a file or a mail.
    /// </summary>
    [Cmdlet(VerbsCommon.Show, "WhisperChart", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(string))]
    public sealed class ShowWhisperChartCommand : WhisperChartCmdlet
    {
        private int _width;

        /// <summary>Characters per line; default the console's width.</summary>
        [Parameter]
        [ValidateRange(30, 2000)]
        public int Width { get; set; }

        /// <summary>Lines for the plot and its time axis (the legend adds a line per series); default the console's
        /// height.</summary>
        [Parameter]
        [ValidateRange(5, 1000)]
        public int Height { get; set; }

        /// <summary>ASCII marks instead of Unicode braille.</summary>
        [Parameter]
        public SwitchParameter Ascii { get; set; }

        /// <summary>One chart per series, one under the other, instead of all series in one chart.</summary>
        [Parameter]
        public SwitchParameter Stack { get; set; }

        /// <summary>No ANSI colours even where the host supports them.</summary>
        [Parameter]
        public SwitchParameter NoColor { get; set; }

        internal override int PlotColumns => TerminalChartWriter.PlotColumns(new TerminalChartOptions { Width = _width, Ascii = Ascii });

        protected override void BeginProcessing()
        {
            _width = IsBound(nameof(Width)) ? Width : ConsoleSize().Width;
            base.BeginProcessing();
        }

        protected override void EndProcessing()
        {
            var layout = CollectLayout();
            if (layout == null) return;
            var size = ConsoleSize();
            int count = layout.Series.Count;
            int height;
            if (IsBound(nameof(Height))) height = Height;
            else if (Stack) height = Math.Max(8, (size.Height - 1) / Math.Max(1, count) - 2);
            else height = Math.Max(8, size.Height - 2 - count);
            var options = new TerminalChartOptions { Width = _width, Height = height, Ascii = Ascii, Color = UseColor() };
            if (!Stack)
            {
                foreach (string line in TerminalChartWriter.Write(layout, options)) WriteObject(line);
                return;
            }
            for (int i = 0; i < count; i++)
            {
                if (i > 0) WriteObject(string.Empty);
                var one = new ChartLayout(new[] { layout.Series[i] }, layout.Start, layout.End, layout.LocalTime);
                foreach (string line in TerminalChartWriter.Write(one, options)) WriteObject(line);
            }
        }

        /// <summary>The console's size, or 80 × 20 where there is none (redirected output, a job, remoting).</summary>
        private (int Width, int Height) ConsoleSize()
        {
            try
            {
                if (!Console.IsOutputRedirected)
                {
                    var size = Host.UI.RawUI.WindowSize;
                    if (size.Width >= 30 && size.Height >= 5) return (size.Width, size.Height);
                }
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is NotImplementedException || ex is PSNotImplementedException || ex is PSInvalidOperationException)
            {
            }
            return (80, 20);
        }

        /// <summary>Colours only for a host that renders VT sequences, when $PSStyle.OutputRendering allows
        /// them and the output is not redirected.</summary>
        private bool UseColor()
        {
            if (NoColor || Console.IsOutputRedirected) return false;
            try
            {
                if (!Host.UI.SupportsVirtualTerminal) return false;
            }
            catch (NotImplementedException)
            {
                return false;
            }
            var style = SessionState.PSVariable.GetValue("PSStyle");
            if (style != null)
            {
                var rendering = PSObject.AsPSObject(style).Properties["OutputRendering"]?.Value;
                if (rendering != null && string.Equals(rendering.ToString(), "PlainText", StringComparison.OrdinalIgnoreCase)) return false;
            }
            return true;
        }
    }
}
