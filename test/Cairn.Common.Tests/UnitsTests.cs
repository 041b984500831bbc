namespace Cairn.Common.Tests;

// Sizes and durations as flags and configs write them: one set of tests for the one parser of each.
public sealed class UnitsTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("512", 512L)]
    [InlineData("512B", 512L)]
    [InlineData("64k", 64L << 10)]
    [InlineData("64KB", 64L << 10)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("128mb", 128L << 20)]
    [InlineData(" 1.5GiB ", 3L << 29)]
    [InlineData("2 TiB", 2L << 40)]
    [InlineData("1PB", 1L << 50)]
    public void Sizes_parse_with_binary_units(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
        Assert.Equal(expected, ByteSize.Parse(text, "--size"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MiB")]
    [InlineData("-1")]
    [InlineData("10x")]
    [InlineData("10kbb")]
    [InlineData("10bi")]
    [InlineData("1.2.3")]
    [InlineData("99999999PiB")]
    public void Malformed_sizes_are_refused(string? text)
    {
        Assert.False(ByteSize.TryParse(text, out _));
    }

    [Fact]
    public void A_refused_size_names_the_flag()
    {
        var e = Assert.Throws<FormatException>(() => ByteSize.Parse("lots", "--ratelimit"));
        Assert.Contains("--ratelimit", e.Message);
        Assert.Contains("lots", e.Message);
    }

    [Theory]
    [InlineData(0UL, "0B")]
    [InlineData(1023UL, "1023B")]
    [InlineData(1024UL, "1KiB")]
    [InlineData(3UL << 29, "1.5GiB")]
    [InlineData(ulong.MaxValue, "16EiB")]
    public void Sizes_format_as_pd_prints_them(ulong bytes, string expected)
    {
        Assert.Equal(expected, ByteSize.Format(bytes));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    public void Durations_parse_as_go_writes_them(string text, double milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("10d")]
    [InlineData("10s5")]
    public void Malformed_durations_are_refused(string? text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Fact]
    public void Durations_format_as_go_prints_hours()
    {
        Assert.Equal("1h30m0s", GoDuration.Format(TimeSpan.FromMinutes(90)));
    }
}
