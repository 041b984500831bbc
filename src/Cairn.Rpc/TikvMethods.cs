using Cairn.Rpc.Coprocessor;
using Cairn.Rpc.Kvrpcpb;

namespace Cairn.Rpc;

/// <summary>Methods of kvproto's <c>tikvpb.Tikv</c> service that this repository carries (see <c>proto/tikvpb.proto</c>).</summary>
public static class TikvMethods
{
    /// <summary><c>/tikvpb.Tikv/KvGet</c> (unary).</summary>
    public static readonly RpcMethod<GetRequest, GetResponse> KvGet = new("/tikvpb.Tikv/KvGet", GetRequest.Parser, GetResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvScan</c> (unary).</summary>
    public static readonly RpcMethod<ScanRequest, ScanResponse> KvScan = new("/tikvpb.Tikv/KvScan", ScanRequest.Parser, ScanResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvPrewrite</c> (unary).</summary>
    public static readonly RpcMethod<PrewriteRequest, PrewriteResponse> KvPrewrite = new("/tikvpb.Tikv/KvPrewrite", PrewriteRequest.Parser, PrewriteResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvCommit</c> (unary).</summary>
    public static readonly RpcMethod<CommitRequest, CommitResponse> KvCommit = new("/tikvpb.Tikv/KvCommit", CommitRequest.Parser, CommitResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvCleanup</c> (unary).</summary>
    public static readonly RpcMethod<CleanupRequest, CleanupResponse> KvCleanup = new("/tikvpb.Tikv/KvCleanup", CleanupRequest.Parser, CleanupResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvBatchGet</c> (unary).</summary>
    public static readonly RpcMethod<BatchGetRequest, BatchGetResponse> KvBatchGet = new("/tikvpb.Tikv/KvBatchGet", BatchGetRequest.Parser, BatchGetResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvBatchRollback</c> (unary).</summary>
    public static readonly RpcMethod<BatchRollbackRequest, BatchRollbackResponse> KvBatchRollback = new("/tikvpb.Tikv/KvBatchRollback", BatchRollbackRequest.Parser, BatchRollbackResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvScanLock</c> (unary).</summary>
    public static readonly RpcMethod<ScanLockRequest, ScanLockResponse> KvScanLock = new("/tikvpb.Tikv/KvScanLock", ScanLockRequest.Parser, ScanLockResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvResolveLock</c> (unary).</summary>
    public static readonly RpcMethod<ResolveLockRequest, ResolveLockResponse> KvResolveLock = new("/tikvpb.Tikv/KvResolveLock", ResolveLockRequest.Parser, ResolveLockResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvGC</c> (unary).</summary>
    public static readonly RpcMethod<GCRequest, GCResponse> KvGC = new("/tikvpb.Tikv/KvGC", GCRequest.Parser, GCResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvDeleteRange</c> (unary).</summary>
    public static readonly RpcMethod<DeleteRangeRequest, DeleteRangeResponse> KvDeleteRange = new("/tikvpb.Tikv/KvDeleteRange", DeleteRangeRequest.Parser, DeleteRangeResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvCheckTxnStatus</c> (unary).</summary>
    public static readonly RpcMethod<CheckTxnStatusRequest, CheckTxnStatusResponse> KvCheckTxnStatus = new("/tikvpb.Tikv/KvCheckTxnStatus", CheckTxnStatusRequest.Parser, CheckTxnStatusResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/KvCheckSecondaryLocks</c> (unary).</summary>
    public static readonly RpcMethod<CheckSecondaryLocksRequest, CheckSecondaryLocksResponse> KvCheckSecondaryLocks = new("/tikvpb.Tikv/KvCheckSecondaryLocks", CheckSecondaryLocksRequest.Parser, CheckSecondaryLocksResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawGet</c> (unary).</summary>
    public static readonly RpcMethod<RawGetRequest, RawGetResponse> RawGet = new("/tikvpb.Tikv/RawGet", RawGetRequest.Parser, RawGetResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawBatchGet</c> (unary).</summary>
    public static readonly RpcMethod<RawBatchGetRequest, RawBatchGetResponse> RawBatchGet = new("/tikvpb.Tikv/RawBatchGet", RawBatchGetRequest.Parser, RawBatchGetResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawPut</c> (unary).</summary>
    public static readonly RpcMethod<RawPutRequest, RawPutResponse> RawPut = new("/tikvpb.Tikv/RawPut", RawPutRequest.Parser, RawPutResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawBatchPut</c> (unary).</summary>
    public static readonly RpcMethod<RawBatchPutRequest, RawBatchPutResponse> RawBatchPut = new("/tikvpb.Tikv/RawBatchPut", RawBatchPutRequest.Parser, RawBatchPutResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawDelete</c> (unary).</summary>
    public static readonly RpcMethod<RawDeleteRequest, RawDeleteResponse> RawDelete = new("/tikvpb.Tikv/RawDelete", RawDeleteRequest.Parser, RawDeleteResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawBatchDelete</c> (unary).</summary>
    public static readonly RpcMethod<RawBatchDeleteRequest, RawBatchDeleteResponse> RawBatchDelete = new("/tikvpb.Tikv/RawBatchDelete", RawBatchDeleteRequest.Parser, RawBatchDeleteResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawScan</c> (unary).</summary>
    public static readonly RpcMethod<RawScanRequest, RawScanResponse> RawScan = new("/tikvpb.Tikv/RawScan", RawScanRequest.Parser, RawScanResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawDeleteRange</c> (unary).</summary>
    public static readonly RpcMethod<RawDeleteRangeRequest, RawDeleteRangeResponse> RawDeleteRange = new("/tikvpb.Tikv/RawDeleteRange", RawDeleteRangeRequest.Parser, RawDeleteRangeResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawBatchScan</c> (unary).</summary>
    public static readonly RpcMethod<RawBatchScanRequest, RawBatchScanResponse> RawBatchScan = new("/tikvpb.Tikv/RawBatchScan", RawBatchScanRequest.Parser, RawBatchScanResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/RawChecksum</c> (unary).</summary>
    public static readonly RpcMethod<RawChecksumRequest, RawChecksumResponse> RawChecksum = new("/tikvpb.Tikv/RawChecksum", RawChecksumRequest.Parser, RawChecksumResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/SplitRegion</c> (unary).</summary>
    public static readonly RpcMethod<SplitRegionRequest, SplitRegionResponse> SplitRegion = new("/tikvpb.Tikv/SplitRegion", SplitRegionRequest.Parser, SplitRegionResponse.Parser);

    /// <summary><c>/tikvpb.Tikv/Coprocessor</c> (unary; the checksum request uses tp 105).</summary>
    public static readonly RpcMethod<Request, Response> Coprocessor = new("/tikvpb.Tikv/Coprocessor", Request.Parser, Response.Parser);

    /// <summary><c>/tikvpb.Tikv/CoprocessorStream</c> (server streaming).</summary>
    public static readonly RpcMethod<Request, Response> CoprocessorStream = new("/tikvpb.Tikv/CoprocessorStream", Request.Parser, Response.Parser);
}
