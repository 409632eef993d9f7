using System.Collections.Generic;
using Xunit;
using static WhisperPS.Engine.Tests.Support.W;

namespace WhisperPS.Engine.Tests
{
    /// <summary>parseRetentionDef, getUnitString and validateArchiveList (reference notes §1.3, §1.4).</summary>
    public sealed class RetentionTests
    {
        [Theory]
        [InlineData("60:1440", 60, 1440)]
        [InlineData("15m:8", 900, 8)]
        [InlineData("1h:7d", 3600, 168)]
        [InlineData("12h:2y", 43200, 1460)]
        [InlineData("10:1y", 10, 3153600)]
        [InlineData("1min:1d", 60, 1440)]
        [InlineData("7s:1m", 7, 8)] // a duration is floor-divided by the precision
        [InlineData("1s:1w", 1, 604800)]
        [InlineData(" 10s:1d ", 10, 8640)]
        public void ParsesValidDefinitions(string definition, long step, long points)
        {
            Assert.Equal(A(step, points), Retention.Parse(definition));
        }

        // Our messages add advice after whisper's; whisper's own text must still lead.
        [Theory]
        [InlineData("10", "Invalid retention definition '10'")]
        [InlineData("10X:10", "Invalid precision specification '10X'")]
        [InlineData("10:10$", "Invalid retention specification '10$'")]
        [InlineData("10x:10", "Invalid unit 'x'")]
        [InlineData("5mo:1y", "Invalid unit 'mo'")]
        [InlineData("1s:5q", "Invalid unit 'q'")]
        public void RejectsInvalidDefinitionsWithWhisperMessages(string definition, string message)
        {
            var e = Assert.Throws<InvalidRetentionException>(() => Retention.Parse(definition));
            Assert.StartsWith(message, e.Message);
            Assert.IsAssignableFrom<InvalidConfigurationException>(e);
        }

        [Theory]
        [InlineData("s", 1)]
        [InlineData("sec", 1)]
        [InlineData("seconds", 1)]
        [InlineData("m", 60)] // m is minutes, never months
        [InlineData("min", 60)]
        [InlineData("minutes", 60)]
        [InlineData("h", 3600)]
        [InlineData("d", 86400)]
        [InlineData("w", 604800)]
        [InlineData("y", 31536000)] // a year is 365 days
        public void UnitPrefixesNameSecondsMinutesHoursDaysWeeksYears(string unit, long seconds)
        {
            Assert.Equal(seconds, Retention.UnitMultiplier(unit));
        }

        [Theory]
        [InlineData("z")]
        [InlineData("mo")]
        [InlineData("secs")]
        [InlineData("")]
        public void UnknownUnitIsRefused(string unit)
        {
            var e = Assert.Throws<InvalidRetentionException>(() => Retention.UnitMultiplier(unit));
            Assert.StartsWith("Invalid unit '" + unit + "'", e.Message);
        }

        [Fact]
        public void ValidateSortsFinestFirstWithoutTouchingTheCallersList()
        {
            var given = new List<ArchiveSpec> { A(3600, 24), A(60, 60), A(1, 60) };
            var sorted = Retention.Validate(given);
            Assert.Equal(new[] { A(1, 60), A(60, 60), A(3600, 24) }, sorted);
            Assert.Equal(new[] { A(3600, 24), A(60, 60), A(1, 60) }, given);
        }

        [Fact]
        public void ValidateRefusesAnEmptyList()
        {
            var e = Assert.Throws<InvalidConfigurationException>(() => Retention.Validate(new ArchiveSpec[0]));
            Assert.Equal("You must specify at least one archive configuration!", e.Message);
        }

        // Each of whisper's four pairwise rules, with the exact message test_whisper.py checks.
        [Theory]
        [InlineData(1, 60, 1, 60, "A Whisper database may not be configured having two archives with the same precision (archive0: (1, 60), archive1: (1, 60))")]
        [InlineData(7, 100, 60, 100, "Higher precision archives' precision must evenly divide all lower precision archives' precision (archive0: 7, archive1: 60)")]
        [InlineData(1, 60, 10, 1, "Lower precision archives must cover larger time intervals than higher precision archives (archive0: 60 seconds, archive1: 10 seconds)")]
        [InlineData(1, 30, 60, 60, "Each archive must have at least enough points to consolidate to the next archive (archive1 consolidates 60 of archive0's points but it has only 30 total points)")]
        public void ValidateRefusesEachRuleWithWhisperMessage(long s0, long p0, long s1, long p1, string message)
        {
            var e = Assert.Throws<InvalidConfigurationException>(() => Retention.Validate(new[] { A(s1, p1), A(s0, p0) }));
            Assert.Equal(message, e.Message);
        }

        [Fact]
        public void ValidateAppliesTheRulesToTheSortedList()
        {
            // Given as 60:10, 1:30, 10:100, the offending pair is only adjacent once sorted, and is named by
            // its sorted positions.
            var e = Assert.Throws<InvalidConfigurationException>(() => Retention.Validate(new[] { A(60, 10), A(1, 30), A(10, 100) }));
            Assert.Equal("Lower precision archives must cover larger time intervals than higher precision archives " +
                         "(archive1: 1000 seconds, archive2: 600 seconds)", e.Message);
        }

        [Fact]
        public void ValidateRefusesArchivesThatCannotBeAddressed()
        {
            Assert.Throws<InvalidConfigurationException>(() => Retention.Validate(new[] { A(0, 10) }));
            Assert.Throws<InvalidConfigurationException>(() => Retention.Validate(new[] { A(1, 0) }));
            // 12-byte points past 4 GiB cannot be addressed by 32-bit offsets.
            Assert.Throws<InvalidConfigurationException>(() => Retention.Validate(new[] { A(1, uint.MaxValue / 4) }));
        }

        [Theory]
        [InlineData("10s:1d")]
        [InlineData("1min:7d")]
        [InlineData("1h:1y")]
        [InlineData("7s:8")]
        public void FormatReadsBack(string definition)
        {
            var spec = Retention.Parse(definition);
            Assert.Equal(spec, Retention.Parse(Retention.Format(spec)));
        }
    }
}
