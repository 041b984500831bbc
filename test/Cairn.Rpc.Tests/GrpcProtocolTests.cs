using Cairn.Rpc.Internal;

namespace Cairn.Rpc.Tests;

public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData("1H", 3600_000_000_000L)]
    [InlineData("2M", 120_000_000_000L)]
    [InlineData("3S", 3_000_000_000L)]
    [InlineData("250m", 250_000_000L)]
    [InlineData("99999999u", 99_999_999_000L)]
    [InlineData("1500n", 1_500L)]
    public void Timeout_units_parse(string text, long nanoseconds)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(text, out var timeout));
        Assert.Equal(nanoseconds / 100, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("123456789S")]
    [InlineData("-5S")]
    public void Malformed_timeouts_are_rejected(string text) => Assert.False(GrpcProtocol.TryParseTimeout(text, out _));

    [Theory]
    [InlineData(0.5, "500000u")]
    [InlineData(1000, "1000000m")]
    [InlineData(500_000, "500000S")]
    public void Timeouts_format_within_eight_digits(double seconds, string expected)
    {
        var text = GrpcProtocol.FormatTimeout(TimeSpan.FromSeconds(seconds));
        Assert.Equal(expected, text);
        Assert.True(GrpcProtocol.TryParseTimeout(text, out var back));
        Assert.True(back >= TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("ä", "%C3%A4")]
    [InlineData("a\nb", "a%0Ab")]
    public void Messages_are_percent_encoded_as_the_spec_says(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcProtocol.EncodeMessage(message));
        Assert.Equal(message, GrpcProtocol.DecodeMessage(encoded));
    }

    [Fact]
    public void Malformed_percent_escapes_are_kept()
    {
        Assert.Equal("50%zz done%", GrpcProtocol.DecodeMessage("50%zz done%"));
        Assert.Equal("%4", GrpcProtocol.DecodeMessage("%4"));
    }

    [Theory]
    [InlineData(0x0L, StatusCode.Unavailable)] // the server closed the connection before answering
    [InlineData(0x2L, StatusCode.Internal)]
    [InlineData(0x7L, StatusCode.Unavailable)]
    [InlineData(0x8L, StatusCode.Cancelled)]
    [InlineData(0xBL, StatusCode.ResourceExhausted)]
    public void Http2_error_codes_map_to_grpc_statuses(long errorCode, StatusCode expected) =>
        Assert.Equal(expected, GrpcProtocol.FromHttp2Error(errorCode));
}
