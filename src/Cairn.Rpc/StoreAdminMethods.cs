using Cairn.Rpc.Storepb;

namespace Cairn.Rpc;

/// <summary>Methods of Cairn's own <c>cairn.storepb.StoreAdmin</c> service (see <c>proto/cairn/storepb.proto</c>).</summary>
public static class StoreAdminMethods
{
    /// <summary><c>/cairn.storepb.StoreAdmin/SplitRegion</c> (unary): split with caller-supplied region and peer IDs.</summary>
    public static readonly RpcMethod<AdminSplitRegionRequest, AdminSplitRegionResponse> SplitRegion =
        new("/cairn.storepb.StoreAdmin/SplitRegion", AdminSplitRegionRequest.Parser, AdminSplitRegionResponse.Parser);

    /// <summary><c>/cairn.storepb.StoreAdmin/GetStoreInfo</c> (unary): the store and every region it holds.</summary>
    public static readonly RpcMethod<GetStoreInfoRequest, GetStoreInfoResponse> GetStoreInfo =
        new("/cairn.storepb.StoreAdmin/GetStoreInfo", GetStoreInfoRequest.Parser, GetStoreInfoResponse.Parser);

    /// <summary>
    /// <c>/cairn.storepb.StoreAdmin/ReceiveRegion</c> (client streaming): a region's data as SST files, sent by the
    /// store moving the region away to the store taking it over.
    /// </summary>
    public static readonly RpcMethod<RegionSnapshotChunk, ReceiveRegionResponse> ReceiveRegion =
        new("/cairn.storepb.StoreAdmin/ReceiveRegion", RegionSnapshotChunk.Parser, ReceiveRegionResponse.Parser);
}
