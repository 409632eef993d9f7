using System;
using System.Collections.Generic;

namespace WhisperPS.Engine
{
    /// <summary>How a coarser archive summarises the finer points it covers. Values are the on-disk codes.</summary>
    public enum AggregationMethod
    {
        Average = 1,
        Sum = 2,
        Last = 3,
        Max = 4,
        Min = 5,
        AvgZero = 6,
        AbsMax = 7,
        AbsMin = 8,
    }

    /// <summary>Names and rollup arithmetic of the eight whisper 1.1.x aggregation methods.</summary>
    public static class Aggregation
    {
        private static readonly string[] WhisperNames =
            { null, "average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin" };

        /// <summary>The methods in code order, as whisper lists them.</summary>
        public static IReadOnlyList<AggregationMethod> All { get; } = new[]
        {
            AggregationMethod.Average, AggregationMethod.Sum, AggregationMethod.Last, AggregationMethod.Max,
            AggregationMethod.Min, AggregationMethod.AvgZero, AggregationMethod.AbsMax, AggregationMethod.AbsMin,
        };

        public static bool IsDefined(AggregationMethod method)
        {
            return method >= AggregationMethod.Average && method <= AggregationMethod.AbsMin;
        }

        /// <summary>whisper's own name for a method: average, sum, last, max, min, avg_zero, absmax, absmin.</summary>
        public static string ToWhisperName(AggregationMethod method)
        {
            if (!IsDefined(method))
                throw new InvalidAggregationMethodException("Unrecognized aggregation method: " + (int)method);
            return WhisperNames[(int)method];
        }

        /// <summary>Accepts whisper's names and the enum names (avg_zero or AvgZero), in any case.</summary>
        public static bool TryParse(string name, out AggregationMethod method)
        {
            method = default(AggregationMethod);
            if (string.IsNullOrWhiteSpace(name)) return false;
            string n = name.Trim();
            for (int i = 1; i < WhisperNames.Length; i++)
            {
                var m = (AggregationMethod)i;
                if (string.Equals(n, WhisperNames[i], StringComparison.OrdinalIgnoreCase) ||
                    string.Equals(n, m.ToString(), StringComparison.OrdinalIgnoreCase))
                {
                    method = m;
                    return true;
                }
            }
            return false;
        }

        public static AggregationMethod Parse(string name)
        {
            if (TryParse(name, out var m)) return m;
            throw new InvalidAggregationMethodException(
                "Unrecognized aggregation method: " + name + ". Use one of: " + string.Join(", ", WhisperNames, 1, 8) + ".");
        }

        /// <summary>
        /// Rolls up one window of finer slots exactly as whisper's aggregate() does in Python: sums are
        /// left-to-right double additions from 0, max/min keep the first of equal values and never let a NaN
        /// replace the current pick, absmax/absmin compare absolute values the same way.
        /// </summary>
        /// <param name="method">The file's method.</param>
        /// <param name="values">Slot values; only those with <paramref name="known"/> set are data.</param>
        /// <param name="known">Which slots hold a point of the expected interval.</param>
        /// <param name="count">Number of slots in the window.</param>
        /// <param name="knownCount">How many of them are known (at least one).</param>
        internal static double Aggregate(AggregationMethod method, double[] values, bool[] known, int count, int knownCount)
        {
            switch (method)
            {
                case AggregationMethod.Average:
                    return KnownSum(values, known, count) / knownCount;
                case AggregationMethod.Sum:
                    return KnownSum(values, known, count);
                case AggregationMethod.Last:
                    for (int i = count - 1; i >= 0; i--)
                        if (known[i]) return values[i];
                    break;
                case AggregationMethod.Max:
                case AggregationMethod.Min:
                case AggregationMethod.AbsMax:
                case AggregationMethod.AbsMin:
                    return Pick(method, values, known, count);
                case AggregationMethod.AvgZero:
                    {
                        // Python: [x or 0 for x in neighborValues]; a missing slot or a zero adds 0, NaN is kept.
                        double s = 0.0;
                        for (int i = 0; i < count; i++)
                            s += known[i] && values[i] != 0.0 ? values[i] : 0.0;
                        return s / count;
                    }
            }
            throw new InvalidAggregationMethodException("Unrecognized aggregation method " + (int)method);
        }

        private static double KnownSum(double[] values, bool[] known, int count)
        {
            double s = 0.0;
            for (int i = 0; i < count; i++)
                if (known[i]) s += values[i];
            return s;
        }

        private static double Pick(AggregationMethod method, double[] values, bool[] known, int count)
        {
            bool have = false;
            double best = 0;
            for (int i = 0; i < count; i++)
            {
                if (!known[i]) continue;
                double v = values[i];
                if (!have)
                {
                    best = v;
                    have = true;
                    continue;
                }
                bool better;
                switch (method)
                {
                    case AggregationMethod.Max: better = v > best; break;
                    case AggregationMethod.Min: better = v < best; break;
                    case AggregationMethod.AbsMax: better = Math.Abs(v) > Math.Abs(best); break;
                    default: better = Math.Abs(v) < Math.Abs(best); break;
                }
                if (better) best = v;
            }
            return best;
        }
    }
}
