using Xunit;
namespace WhisperPS.Engine.Tests
{
    public class SmokeTests
    {
        [Fact]
        public void RetentionParses() => Assert.Equal(new ArchiveSpec(10, 8640), Retention.Parse("10s:1d"));
    }
}
