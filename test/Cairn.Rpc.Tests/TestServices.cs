using Cairn.Rpc.Backup;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Pdpb;
using Cairn.Rpc.Storepb;
using Cairn.Rpc.Tikvpb;
using Grpc.Core;

namespace Cairn.Rpc.Tests;

/// <summary>kvproto's Tikv service with RawGet/RawPut supplied by the test; every other method is unimplemented.</summary>
internal sealed class TestTikv(
    Func<RawGetRequest, ServerCallContext, Task<RawGetResponse>>? rawGet = null,
    Func<RawPutRequest, ServerCallContext, Task<RawPutResponse>>? rawPut = null) : Tikv.TikvBase
{
    public override Task<RawGetResponse> RawGet(RawGetRequest request, ServerCallContext context)
        => rawGet is null ? base.RawGet(request, context) : rawGet(request, context);

    public override Task<RawPutResponse> RawPut(RawPutRequest request, ServerCallContext context)
        => rawPut is null ? base.RawPut(request, context) : rawPut(request, context);
}

/// <summary>kvproto's Backup service (server streaming) with the handler supplied by the test.</summary>
internal sealed class TestBackup(Func<BackupRequest, IServerStreamWriter<BackupResponse>, ServerCallContext, Task> handler)
    : Backup.Backup.BackupBase
{
    public override Task backup(BackupRequest request, IServerStreamWriter<BackupResponse> responseStream, ServerCallContext context)
        => handler(request, responseStream, context);
}

/// <summary>StoreAdmin's ReceiveRegion (client streaming) with the handler supplied by the test.</summary>
internal sealed class TestStoreAdmin(Func<IAsyncStreamReader<RegionSnapshotChunk>, ServerCallContext, Task<ReceiveRegionResponse>> receive)
    : StoreAdmin.StoreAdminBase
{
    public override Task<ReceiveRegionResponse> ReceiveRegion(IAsyncStreamReader<RegionSnapshotChunk> requestStream, ServerCallContext context)
        => receive(requestStream, context);
}

/// <summary>pd's Tso (bidirectional streaming) with the handler supplied by the test.</summary>
internal sealed class TestPd(Func<IAsyncStreamReader<TsoRequest>, IServerStreamWriter<TsoResponse>, ServerCallContext, Task> tso) : PD.PDBase
{
    public override Task Tso(IAsyncStreamReader<TsoRequest> requestStream, IServerStreamWriter<TsoResponse> responseStream, ServerCallContext context)
        => tso(requestStream, responseStream, context);
}

/// <summary>kvproto's ImportSST Upload (client streaming) with the handler supplied by the test.</summary>
internal sealed class TestImport(Func<IAsyncStreamReader<ImportSstpb.UploadRequest>, ServerCallContext, Task<ImportSstpb.UploadResponse>> upload)
    : ImportSstpb.ImportSST.ImportSSTBase
{
    public override Task<ImportSstpb.UploadResponse> Upload(IAsyncStreamReader<ImportSstpb.UploadRequest> requestStream, ServerCallContext context)
        => upload(requestStream, context);
}
