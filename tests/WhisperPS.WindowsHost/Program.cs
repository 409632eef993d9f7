using System.Management.Automation.Runspaces;
using Microsoft.PowerShell;

namespace WhisperPS.WindowsHost
{
    /// <summary>pwsh's own console host (same command line: -NoProfile, -File, ...), built for Windows.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var state = InitialSessionState.CreateDefault2();
            state.ExecutionPolicy = ExecutionPolicy.Bypass;
            return ConsoleShell.Start(state, "WhisperPS test host", string.Empty, args);
        }
    }
}
