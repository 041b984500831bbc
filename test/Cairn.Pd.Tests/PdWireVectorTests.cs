using Cairn.Rpc.Eraftpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Pdpb;
using Google.Protobuf;

namespace Cairn.Pd.Tests;

/// <summary>pdpb messages serialized and compared with bytes worked out by hand from kvproto's field numbers.</summary>
public sealed class PdWireVectorTests
{
    [Fact]
    public void Tso_request_and_response_match_hand_encoding()
    {
        var request = new TsoRequest { Header = new RequestHeader { ClusterId = 300, SenderId = 1 }, Count = 10 };
        Assert.Equal(Hex("0A 05 08 AC 02 10 01", "10 0A"), Convert.ToHexString(request.ToByteArray()));

        var response = new TsoResponse
        {
            Header = new ResponseHeader { ClusterId = 5 },
            Count = 2,
            Timestamp = new Timestamp { Physical = 1, Logical = 3 },
        };
        Assert.Equal(Hex("0A 02 08 05", "10 02", "1A 04 08 01 10 03"), Convert.ToHexString(response.ToByteArray()));
    }

    [Fact]
    public void Response_header_error_matches_hand_encoding()
    {
        var header = new ResponseHeader { ClusterId = 1, Error = new Error { Type = ErrorType.AlreadyBootstrapped, Message = "x" } };
        Assert.Equal(Hex("08 01", "12 05 08 04 12 01 78"), Convert.ToHexString(header.ToByteArray()));
    }

    [Fact]
    public void Region_heartbeat_stats_fields_match_hand_encoding()
    {
        var request = new RegionHeartbeatRequest
        {
            Leader = new Peer { Id = 3, StoreId = 1 },
            BytesWritten = 1,
            KeysRead = 2,
            ApproximateSize = 300,
            ApproximateKeys = 4,
            Term = 5,
        };
        Assert.Equal(
            Hex("1A 04 08 03 10 01", "30 01", "48 02", "50 AC 02", "68 04", "70 05"),
            Convert.ToHexString(request.ToByteArray()));
    }

    [Fact]
    public void Move_instruction_uses_change_peer_v2_field_9()
    {
        var response = new RegionHeartbeatResponse
        {
            RegionId = 7,
            ChangePeerV2 = new ChangePeerV2
            {
                Changes =
                {
                    new ChangePeer { Peer = new Peer { Id = 9, StoreId = 2 }, ChangeType = ConfChangeType.AddNode },
                    new ChangePeer { Peer = new Peer { Id = 3, StoreId = 1 }, ChangeType = ConfChangeType.RemoveNode },
                },
            },
        };
        Assert.Equal(
            Hex("20 07", "4A 12", "0A 06 0A 04 08 09 10 02", "0A 08 0A 04 08 03 10 01 10 01"),
            Convert.ToHexString(response.ToByteArray()));
    }

    [Fact]
    public void Split_ids_and_operator_and_service_safepoint_match_hand_encoding()
    {
        var split = new AskBatchSplitResponse { Ids = { new SplitID { NewRegionId = 5, NewPeerIds = { 6, 7 } } } };
        Assert.Equal(Hex("12 06 08 05 12 02 06 07"), Convert.ToHexString(split.ToByteArray()));

        var op = new GetOperatorResponse { RegionId = 5, Desc = ByteString.CopyFromUtf8("ab"), Status = OperatorStatus.Running };
        Assert.Equal(Hex("10 05", "1A 02 61 62", "20 04"), Convert.ToHexString(op.ToByteArray()));

        var service = new UpdateServiceGCSafePointRequest { ServiceId = ByteString.CopyFromUtf8("br"), TTL = 300, SafePoint = 7 };
        Assert.Equal(Hex("12 02 62 72", "18 AC 02", "20 07"), Convert.ToHexString(service.ToByteArray()));

        var scan = new ScanRegionsRequest { StartKey = ByteString.CopyFromUtf8("a"), Limit = 128, EndKey = ByteString.CopyFromUtf8("b") };
        Assert.Equal(Hex("12 01 61", "18 80 01", "22 01 62"), Convert.ToHexString(scan.ToByteArray()));
    }

    [Fact]
    public void Service_paths_follow_kvproto()
    {
        // The generated stubs build the HTTP/2 path as /{service full name}/{method name}.
        var service = PD.Descriptor;
        Assert.Equal("pdpb.PD", service.FullName);
        var tso = service.FindMethodByName("Tso");
        Assert.True(tso.IsClientStreaming && tso.IsServerStreaming);
        Assert.NotNull(service.FindMethodByName("GetRegionByID"));
        Assert.NotNull(service.FindMethodByName("UpdateServiceGCSafePoint"));
        Assert.Equal("pdpb.Region", Rpc.Pdpb.Region.Descriptor.FullName);
    }

    private static string Hex(params string[] parts) => string.Concat(parts).Replace(" ", "", StringComparison.Ordinal);
}
