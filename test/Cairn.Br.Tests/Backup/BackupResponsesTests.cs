using Cairn.Br.Backup;
using Cairn.Rpc.Backup;
using Cairn.Rpc.Kvrpcpb;
using RegionError = Cairn.Rpc.Errorpb.Error;

namespace Cairn.Br.Tests.Backup;

public sealed class BackupResponsesTests
{
    [Fact]
    public void An_answer_without_error_is_accepted()
    {
        Assert.Equal(ResponseKind.Accepted, BackupResponses.Classify(new BackupResponse(), 1));
    }

    [Fact]
    public void Locks_and_region_errors_are_retried()
    {
        Assert.Equal(ResponseKind.Locked, BackupResponses.Classify(new BackupResponse { Error = new Error { KvError = new KeyError { Locked = new LockInfo { LockVersion = 5 } } } }, 1));
        Assert.Equal(ResponseKind.RegionError, BackupResponses.Classify(new BackupResponse { Error = new Error { RegionError = new RegionError { Message = "moved", EpochNotMatch = new() } } }, 1));
    }

    [Theory]
    [InlineData("upload failed: Connection reset by peer")]
    [InlineData("error trying to connect: tcp connect error")]
    [InlineData("SERVER CLOSED the stream")]
    public void A_dropped_storage_connection_is_retried(string message)
    {
        Assert.Equal(ResponseKind.Retryable, BackupResponses.Classify(new BackupResponse { Error = new Error { Msg = message } }, 1));
    }

    [Fact]
    public void Any_other_store_message_fails_the_job_with_the_stores_words()
    {
        var error = Assert.Throws<BrException>(() => BackupResponses.Classify(new BackupResponse { Error = new Error { Msg = "bucket quota exceeded" } }, 3));
        Assert.Equal("ErrKVStorage", error.Code);
        Assert.Contains("store 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("bucket quota exceeded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_id_mismatch_is_fatal()
    {
        var error = Assert.Throws<BrException>(() => BackupResponses.Classify(new BackupResponse { Error = new Error { ClusterIdError = new ClusterIDError { Current = 1, Request = 2 } } }, 3));
        Assert.Equal("ErrKVClusterIDMismatch", error.Code);
    }
}
