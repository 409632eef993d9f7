using System;
using System.Globalization;
using System.Management.Automation;
using WhisperPS.Engine;

namespace WhisperPS
{
    /// <summary>
    /// Lets -AggregationMethod take whisper's own names (avg_zero, absmax, ...) as well as the enum names, so
    /// values copied from storage-aggregation.conf or whisper-info work unchanged. Tab completion still comes
    /// from the enum type.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class AggregationMethodTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object input = inputData is PSObject pso ? pso.BaseObject : inputData;
            switch (input)
            {
                case AggregationMethod m when Aggregation.IsDefined(m):
                    return m;
                case string s when Aggregation.TryParse(s, out var parsed):
                    return parsed;
                case string s when int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int code)
                                   && Aggregation.IsDefined((AggregationMethod)code):
                    return (AggregationMethod)code;
                case int i when Aggregation.IsDefined((AggregationMethod)i):
                    return (AggregationMethod)i;
            }
            throw new ArgumentTransformationMetadataException(
                "Cannot convert '" + input + "' to an aggregation method. Use one of: " + Names() + ".");
        }

        private static string Names()
        {
            var names = new string[Aggregation.All.Count];
            for (int i = 0; i < names.Length; i++)
                names[i] = Aggregation.All[i] + " (" + Aggregation.ToWhisperName(Aggregation.All[i]) + ")";
            return string.Join(", ", names);
        }
    }
}
