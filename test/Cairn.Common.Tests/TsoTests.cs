namespace Cairn.Common.Tests;

public sealed class TsoTests
{
    [Fact]
    public void Compose_and_split()
    {
        var ts = Tso.Compose(1_700_000_000_000, 42);
        Assert.Equal((1_700_000_000_000UL << 18) | 42, ts);
        Assert.Equal((1_700_000_000_000L, 42L), Tso.Split(ts));
        Assert.Equal(262_143, Tso.MaxLogical);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tso.Compose(1, Tso.MaxLogical + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tso.Compose(-1, 0));
    }

    [Fact]
    public void Date_time_conversions()
    {
        var time = new DateTimeOffset(2024, 5, 1, 8, 0, 0, 123, TimeSpan.Zero);
        var ts = Tso.FromDateTimeOffset(time);
        Assert.Equal((ulong)time.ToUnixTimeMilliseconds() << 18, ts);
        Assert.Equal(time, Tso.ToDateTimeOffset(ts | 5));
        Assert.Equal(time.AddMinutes(5), Tso.ToDateTimeOffset(Tso.AddPhysical(ts, TimeSpan.FromMinutes(5))));
    }

    [Fact]
    public void Format_and_parse()
    {
        var ts = Tso.Compose(1_714_550_400_000, 1);
        Assert.Equal($"{ts} (2024-05-01T08:00:00.000Z, logical 1)", Tso.Format(ts));
        Assert.Equal(ts, Tso.Parse(ts.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(Tso.Compose(1_714_550_400_000, 0), Tso.Parse("2024-05-01 08:00:00"));
        Assert.Equal(Tso.Compose(1_714_550_400_000, 0), Tso.Parse("2024-05-01T16:00:00+08:00"));
        Assert.False(Tso.TryParse("yesterday", out _));
        Assert.False(Tso.TryParse("-5", out _));
        Assert.Throws<FormatException>(() => Tso.Parse(""));
    }
}
