using System.Diagnostics;
using System.Management.Automation;

namespace WhisperPS.Commands
{
    /// <summary>
    /// Progress over many files for the cmdlets that rewrite them (Resize-WhisperFile, Clear-WhisperSeries,
    /// Repair-WhisperFile): the first file is shown at once, then at most four records a second, because rendering
    /// a record costs more than rewriting a small file. <see cref="Complete"/> clears the bar if one was shown.
    /// </summary>
    internal sealed class ThrottledProgress
    {
        private readonly int _activityId;
        private readonly string _activity;
        private readonly Stopwatch _sinceLast = new Stopwatch();
        private bool _shown;

        internal ThrottledProgress(int activityId, string activity)
        {
            _activityId = activityId;
            _activity = activity;
        }

        /// <summary>Files finished so far (the caller counts).</summary>
        internal int Done { get; set; }

        /// <summary>Shows <paramref name="status"/> unless a record went out less than 250 ms ago.</summary>
        internal void Show(Cmdlet cmdlet, string status, string currentOperation = null)
        {
            if (_shown && _sinceLast.ElapsedMilliseconds < 250) return;
            var record = new ProgressRecord(_activityId, _activity, status);
            if (currentOperation != null) record.CurrentOperation = currentOperation;
            cmdlet.WriteProgress(record);
            _shown = true;
            _sinceLast.Restart();
        }

        internal void Complete(Cmdlet cmdlet)
        {
            if (_shown) cmdlet.WriteProgress(new ProgressRecord(_activityId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
