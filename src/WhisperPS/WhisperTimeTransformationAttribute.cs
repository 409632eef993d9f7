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
        /// <summary>Return an unreadable time instead of failing the binding; the cmdlet reports it per record.</summary>
        public bool DeferInvalid { get; set; }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object input = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (WhisperTime.TryConvert(input, out var time, out string problem)) return time;
            if (DeferInvalid && input != null) return WhisperTime.Unreadable(input.ToString(), problem);
            string shown = input == null ? "$null" : "'" + input + "' (" + input.GetType().Name + ")";
            throw new ArgumentTransformationMetadataException("Cannot convert " + shown + " to a time. " + problem);
        }
    }
}
