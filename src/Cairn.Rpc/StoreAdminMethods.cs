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
}
