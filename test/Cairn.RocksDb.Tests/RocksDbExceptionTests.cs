using Cairn.Common.Errors;

namespace Cairn.RocksDb.Tests;

public sealed class RocksDbExceptionTests
{
    [Theory]
    [InlineData("Resource busy: ", RocksDbStatusKind.Busy, true)]
    [InlineData("Operation failed. Try again.: stall", RocksDbStatusKind.TryAgain, true)]
    [InlineData("Result incomplete: write stall", RocksDbStatusKind.Incomplete, true)]
    [InlineData("Operation timed out: ", RocksDbStatusKind.TimedOut, true)]
    [InlineData("Corruption: block checksum mismatch", RocksDbStatusKind.Corruption, false)]
    [InlineData("Not implemented: ", RocksDbStatusKind.NotSupported, false)]
    [InlineData("Invalid argument: Column family not found", RocksDbStatusKind.InvalidArgument, false)]
    [InlineData("something else", RocksDbStatusKind.Unknown, false)]
    public void The_status_code_decides_whether_a_retry_may_succeed(string message, RocksDbStatusKind kind, bool transient)
    {
        var e = new RocksDbException(message);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(transient, e.IsTransient);
        Assert.Equal(transient, Transience.IsTransient(e));
    }
}
