using Microsoft.Extensions.Logging;

namespace Cairn.Hosting.Tests;

public sealed class LoggingTests
{
    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("warning", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("off", LogLevel.None)]
    public void Log_levels_parse_in_one_spelling(string text, LogLevel expected)
    {
        Assert.True(LogLevels.TryParse(text, out var level));
        Assert.Equal(expected, level);
    }

    [Fact]
    public void Unknown_log_levels_are_refused()
    {
        Assert.False(LogLevels.TryParse("loud", out _));
        Assert.False(LogLevels.TryParse("", out _));
    }

    [Fact]
    public void A_file_log_gets_one_line_per_record_at_the_chosen_level_and_framework_noise_is_cut()
    {
        var dir = Path.Combine(Path.GetTempPath(), "cairn-hosting-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "logs", "br.log");
        try
        {
            using (var factory = HostLogging.ToFile(path, LogLevel.Information))
            {
                var logger = factory.CreateLogger("Cairn.Br");
                logger.LogDebug("hidden");
                logger.LogInformation("backup started\nwith two lines");
                logger.LogWarning("slow store");
                factory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").LogInformation("kestrel chatter");
            }

            var lines = File.ReadAllLines(path);
            Assert.Equal(2, lines.Length);
            Assert.Contains("info: Cairn.Br[0] backup started with two lines", lines[0]);
            Assert.Contains("warn: Cairn.Br[0] slow store", lines[1]);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", lines[0]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
