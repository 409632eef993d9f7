using System.IO;
using System.Management.Automation;
using WhisperPS.Engine.Carbon;

namespace WhisperPS.Commands
{
    /// <summary>Loads carbon's storage configuration for a cmdlet: -ConfigPath through the provider, and a
    /// terminating CarbonConfigurationInvalid error where carbon-cache would refuse to start.</summary>
    internal static class CarbonConfiguration
    {
        internal static CarbonStorageConfiguration Load(WhisperCmdlet cmdlet, string configPath)
        {
            string dir = cmdlet.ResolveNewFile(configPath, out var error);
            if (dir == null) cmdlet.ThrowTerminatingError(error);
            if (!Directory.Exists(dir))
                cmdlet.ThrowTerminatingError(WhisperErrors.Create(new DirectoryNotFoundException("Carbon's configuration folder '" + dir + "' does not exist."),
                    ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, dir));
            try
            {
                var config = CarbonStorageConfiguration.Load(dir);
                foreach (var note in config.Notes) cmdlet.WriteVerbose("carbon: " + note);
                return config;
            }
            catch (CarbonConfigurationException ex)
            {
                cmdlet.ThrowTerminatingError(WhisperErrors.Create(ex, ErrorIds.CarbonConfigurationInvalid, ErrorCategory.InvalidData, ex.FileName ?? dir));
                return null;
            }
            catch (IOException ex)
            {
                cmdlet.ThrowTerminatingError(WhisperErrors.Create(ex, ErrorIds.ReadError, ErrorCategory.ReadError, dir));
                return null;
            }
        }

        internal static string ResolveFolder(WhisperCmdlet cmdlet, string path)
        {
            string dir = cmdlet.ResolveNewFile(path, out var error);
            if (dir == null) cmdlet.ThrowTerminatingError(error);
            return dir;
        }
    }
}
