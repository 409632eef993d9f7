using System;
using System.Management.Automation;

namespace WhisperPS
{
    /// <summary>
    /// Binds the time parameters. Without it PowerShell would read an integer as DateTime ticks (year 1) and a
    /// date string with the current culture, so the same script would mean different times on different servers.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class WhisperTimeTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object input = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (WhisperTime.TryConvert(input, out var time)) return time;
            string shown = input == null ? "$null" : "'" + input + "' (" + input.GetType().Name + ")";
            throw new ArgumentTransformationMetadataException(
                "Cannot convert " + shown + " to a time. Use " + WhisperTime.AcceptedForms + ".");
        }
    }
}
