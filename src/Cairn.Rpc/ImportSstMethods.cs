using Cairn.Rpc.ImportSstpb;

namespace Cairn.Rpc;

/// <summary>Methods of kvproto's <c>import_sstpb.ImportSST</c> service that this repository carries.</summary>
public static class ImportSstMethods
{
    /// <summary><c>/import_sstpb.ImportSST/SwitchMode</c> (unary).</summary>
    public static readonly RpcMethod<SwitchModeRequest, SwitchModeResponse> SwitchMode =
        new("/import_sstpb.ImportSST/SwitchMode", SwitchModeRequest.Parser, SwitchModeResponse.Parser);

    /// <summary><c>/import_sstpb.ImportSST/Upload</c> (client streaming: meta first, then data chunks).</summary>
    public static readonly RpcMethod<UploadRequest, UploadResponse> Upload =
        new("/import_sstpb.ImportSST/Upload", UploadRequest.Parser, UploadResponse.Parser);

    /// <summary><c>/import_sstpb.ImportSST/Ingest</c> (unary).</summary>
    public static readonly RpcMethod<IngestRequest, IngestResponse> Ingest =
        new("/import_sstpb.ImportSST/Ingest", IngestRequest.Parser, IngestResponse.Parser);

    /// <summary><c>/import_sstpb.ImportSST/SetDownloadSpeedLimit</c> (unary).</summary>
    public static readonly RpcMethod<SetDownloadSpeedLimitRequest, SetDownloadSpeedLimitResponse> SetDownloadSpeedLimit =
        new("/import_sstpb.ImportSST/SetDownloadSpeedLimit", SetDownloadSpeedLimitRequest.Parser, SetDownloadSpeedLimitResponse.Parser);

    /// <summary><c>/import_sstpb.ImportSST/Download</c> (unary).</summary>
    public static readonly RpcMethod<DownloadRequest, DownloadResponse> Download =
        new("/import_sstpb.ImportSST/Download", DownloadRequest.Parser, DownloadResponse.Parser);

    /// <summary><c>/import_sstpb.ImportSST/MultiIngest</c> (unary; answers an <see cref="IngestResponse"/>).</summary>
    public static readonly RpcMethod<MultiIngestRequest, IngestResponse> MultiIngest =
        new("/import_sstpb.ImportSST/MultiIngest", MultiIngestRequest.Parser, IngestResponse.Parser);
}
