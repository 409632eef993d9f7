using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace WhisperPS
{
    /// <summary>Tab completion for -Retention: common carbon storage-schemas definitions.</summary>
    public sealed class RetentionCompleter : IArgumentCompleter
    {
        private static readonly string[][] Presets =
        {
            new[] { "10s:1d", "10-second points for a day" },
            new[] { "1m:7d", "1-minute points for a week" },
            new[] { "1h:1y", "hourly points for a year" },
            new[] { "10s:6h,1m:7d,10m:5y", "10s for 6 hours, 1m for a week, 10m for 5 years" },
            new[] { "1m:1d,5m:30d,1h:1y", "1m for a day, 5m for 30 days, 1h for a year" },
            new[] { "10s:1d,1m:7d,1h:1y", "10s for a day, 1m for a week, 1h for a year" },
            new[] { "60:1440", "carbon's default: 60-second points, 1440 of them (1 day)" },
            new[] { "60s:1d", "1-minute points for a day" },
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            foreach (var p in Presets)
            {
                if (p[0].StartsWith(word, StringComparison.OrdinalIgnoreCase))
                    yield return new CompletionResult("'" + p[0] + "'", p[0], CompletionResultType.ParameterValue, p[1]);
            }
        }
    }
}
