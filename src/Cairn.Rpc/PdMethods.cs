using Cairn.Rpc.Pdpb;

namespace Cairn.Rpc;

/// <summary>Methods of kvproto's <c>pdpb.PD</c> service that this repository carries (see <c>proto/pdpb.proto</c>).</summary>
public static class PdMethods
{
    /// <summary><c>/pdpb.PD/GetMembers</c> (unary).</summary>
    public static readonly RpcMethod<GetMembersRequest, GetMembersResponse> GetMembers = new("/pdpb.PD/GetMembers", GetMembersRequest.Parser, GetMembersResponse.Parser);

    /// <summary><c>/pdpb.PD/Tso</c> (bidirectional streaming).</summary>
    public static readonly RpcMethod<TsoRequest, TsoResponse> Tso = new("/pdpb.PD/Tso", TsoRequest.Parser, TsoResponse.Parser);

    /// <summary><c>/pdpb.PD/Bootstrap</c> (unary).</summary>
    public static readonly RpcMethod<BootstrapRequest, BootstrapResponse> Bootstrap = new("/pdpb.PD/Bootstrap", BootstrapRequest.Parser, BootstrapResponse.Parser);

    /// <summary><c>/pdpb.PD/IsBootstrapped</c> (unary).</summary>
    public static readonly RpcMethod<IsBootstrappedRequest, IsBootstrappedResponse> IsBootstrapped = new("/pdpb.PD/IsBootstrapped", IsBootstrappedRequest.Parser, IsBootstrappedResponse.Parser);

    /// <summary><c>/pdpb.PD/AllocID</c> (unary).</summary>
    public static readonly RpcMethod<AllocIDRequest, AllocIDResponse> AllocID = new("/pdpb.PD/AllocID", AllocIDRequest.Parser, AllocIDResponse.Parser);

    /// <summary><c>/pdpb.PD/GetStore</c> (unary).</summary>
    public static readonly RpcMethod<GetStoreRequest, GetStoreResponse> GetStore = new("/pdpb.PD/GetStore", GetStoreRequest.Parser, GetStoreResponse.Parser);

    /// <summary><c>/pdpb.PD/PutStore</c> (unary).</summary>
    public static readonly RpcMethod<PutStoreRequest, PutStoreResponse> PutStore = new("/pdpb.PD/PutStore", PutStoreRequest.Parser, PutStoreResponse.Parser);

    /// <summary><c>/pdpb.PD/GetAllStores</c> (unary).</summary>
    public static readonly RpcMethod<GetAllStoresRequest, GetAllStoresResponse> GetAllStores = new("/pdpb.PD/GetAllStores", GetAllStoresRequest.Parser, GetAllStoresResponse.Parser);

    /// <summary><c>/pdpb.PD/StoreHeartbeat</c> (unary).</summary>
    public static readonly RpcMethod<StoreHeartbeatRequest, StoreHeartbeatResponse> StoreHeartbeat = new("/pdpb.PD/StoreHeartbeat", StoreHeartbeatRequest.Parser, StoreHeartbeatResponse.Parser);

    /// <summary><c>/pdpb.PD/RegionHeartbeat</c> (bidirectional streaming).</summary>
    public static readonly RpcMethod<RegionHeartbeatRequest, RegionHeartbeatResponse> RegionHeartbeat = new("/pdpb.PD/RegionHeartbeat", RegionHeartbeatRequest.Parser, RegionHeartbeatResponse.Parser);

    /// <summary><c>/pdpb.PD/GetRegion</c> (unary).</summary>
    public static readonly RpcMethod<GetRegionRequest, GetRegionResponse> GetRegion = new("/pdpb.PD/GetRegion", GetRegionRequest.Parser, GetRegionResponse.Parser);

    /// <summary><c>/pdpb.PD/GetRegionByID</c> (unary).</summary>
    public static readonly RpcMethod<GetRegionByIDRequest, GetRegionResponse> GetRegionByID = new("/pdpb.PD/GetRegionByID", GetRegionByIDRequest.Parser, GetRegionResponse.Parser);

    /// <summary><c>/pdpb.PD/ScanRegions</c> (unary).</summary>
    public static readonly RpcMethod<ScanRegionsRequest, ScanRegionsResponse> ScanRegions = new("/pdpb.PD/ScanRegions", ScanRegionsRequest.Parser, ScanRegionsResponse.Parser);

    /// <summary><c>/pdpb.PD/AskBatchSplit</c> (unary).</summary>
    public static readonly RpcMethod<AskBatchSplitRequest, AskBatchSplitResponse> AskBatchSplit = new("/pdpb.PD/AskBatchSplit", AskBatchSplitRequest.Parser, AskBatchSplitResponse.Parser);

    /// <summary><c>/pdpb.PD/ReportBatchSplit</c> (unary).</summary>
    public static readonly RpcMethod<ReportBatchSplitRequest, ReportBatchSplitResponse> ReportBatchSplit = new("/pdpb.PD/ReportBatchSplit", ReportBatchSplitRequest.Parser, ReportBatchSplitResponse.Parser);

    /// <summary><c>/pdpb.PD/ScatterRegion</c> (unary).</summary>
    public static readonly RpcMethod<ScatterRegionRequest, ScatterRegionResponse> ScatterRegion = new("/pdpb.PD/ScatterRegion", ScatterRegionRequest.Parser, ScatterRegionResponse.Parser);

    /// <summary><c>/pdpb.PD/GetGCSafePoint</c> (unary).</summary>
    public static readonly RpcMethod<GetGCSafePointRequest, GetGCSafePointResponse> GetGCSafePoint = new("/pdpb.PD/GetGCSafePoint", GetGCSafePointRequest.Parser, GetGCSafePointResponse.Parser);

    /// <summary><c>/pdpb.PD/UpdateGCSafePoint</c> (unary).</summary>
    public static readonly RpcMethod<UpdateGCSafePointRequest, UpdateGCSafePointResponse> UpdateGCSafePoint = new("/pdpb.PD/UpdateGCSafePoint", UpdateGCSafePointRequest.Parser, UpdateGCSafePointResponse.Parser);

    /// <summary><c>/pdpb.PD/UpdateServiceGCSafePoint</c> (unary).</summary>
    public static readonly RpcMethod<UpdateServiceGCSafePointRequest, UpdateServiceGCSafePointResponse> UpdateServiceGCSafePoint = new("/pdpb.PD/UpdateServiceGCSafePoint", UpdateServiceGCSafePointRequest.Parser, UpdateServiceGCSafePointResponse.Parser);

    /// <summary><c>/pdpb.PD/GetOperator</c> (unary).</summary>
    public static readonly RpcMethod<GetOperatorRequest, GetOperatorResponse> GetOperator = new("/pdpb.PD/GetOperator", GetOperatorRequest.Parser, GetOperatorResponse.Parser);
}
