using System.Reflection;
using Cairn.Rpc.Backup;
using Cairn.Rpc.ImportSstpb;
using Cairn.Rpc.Kvrpcpb;
using Cairn.Rpc.Metapb;
using Cairn.Rpc.Tipb;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Rpc.Tests;

/// <summary>
/// Serializes messages and compares with bytes worked out by hand from kvproto's field numbers, so a wrong
/// number, type or package in proto/ fails here.
/// </summary>
public sealed class WireVectorTests
{
    [Fact]
    public void Backup_file_matches_hand_encoding()
    {
        var file = new Backup.File
        {
            Name = "a.sst",
            Sha256 = ByteString.CopyFrom(0xAB, 0xCD),
            StartKey = ByteString.CopyFromUtf8("k1"),
            Crc64Xor = 258,
            Cf = "write",
            Size = 300,
        };

        Assert.Equal(
            Hex("0A 05 61 2E 73 73 74", "12 02 AB CD", "1A 02 6B 31", "38 82 02", "52 05 77 72 69 74 65", "58 AC 02"),
            Convert.ToHexString(file.ToByteArray()));
    }

    [Fact]
    public void Region_with_epoch_and_peer_matches_hand_encoding()
    {
        var region = new Region
        {
            Id = 7,
            StartKey = ByteString.CopyFromUtf8("a"),
            EndKey = ByteString.CopyFromUtf8("b"),
            RegionEpoch = new RegionEpoch { ConfVer = 2, Version = 3 },
            Peers = { new Peer { Id = 8, StoreId = 9, Role = PeerRole.Learner } },
        };

        Assert.Equal(
            Hex("08 07", "12 01 61", "1A 01 62", "22 04 08 02 10 03", "2A 06 08 08 10 09 18 01"),
            Convert.ToHexString(region.ToByteArray()));
    }

    [Fact]
    public void Context_matches_hand_encoding_including_late_fields()
    {
        var context = new Context
        {
            RegionId = 5,
            RegionEpoch = new RegionEpoch { ConfVer = 1, Version = 2 },
            Peer = new Peer { Id = 6, StoreId = 1 },
            Priority = CommandPri.High,
            IsolationLevel = IsolationLevel.Rc,
            RequestSource = "br",
            ClusterId = 300,
        };

        Assert.Equal(
            Hex("08 05", "12 04 08 01 10 02", "1A 04 08 06 10 01", "30 02", "38 01", "C2 01 02 62 72", "98 02 AC 02"),
            Convert.ToHexString(context.ToByteArray()));
    }

    [Fact]
    public void Backup_error_oneof_and_sst_meta_match_hand_encoding()
    {
        var response = new BackupResponse
        {
            Error = new Backup.Error { Msg = "x", ClusterIdError = new ClusterIDError { Current = 1, Request = 2 } },
        };
        Assert.Equal(Hex("0A 09", "0A 01 78", "1A 04 08 01 10 02"), Convert.ToHexString(response.ToByteArray()));

        var meta = new SSTMeta
        {
            Uuid = ByteString.CopyFrom(1),
            Range = new ImportSstpb.Range { Start = ByteString.CopyFromUtf8("a"), End = ByteString.CopyFromUtf8("b") },
            CfName = "default",
            RegionId = 4,
            EndKeyExclusive = true,
        };
        Assert.Equal(
            Hex("0A 01 01", "12 06 0A 01 61 12 01 62", "2A 07 64 65 66 61 75 6C 74", "30 04", "40 01"),
            Convert.ToHexString(meta.ToByteArray()));
    }

    [Fact]
    public void Coprocessor_request_and_proto2_checksum_request_match_hand_encoding()
    {
        var checksum = new ChecksumRequest
        {
            ScanOn = ChecksumScanOn.Table,
            Algorithm = Tipb.ChecksumAlgorithm.Crc64Xor,
            Rule = new ChecksumRewriteRule { OldPrefix = ByteString.CopyFromUtf8("t1"), NewPrefix = ByteString.CopyFromUtf8("t2") },
        };

        // proto2: explicitly set zero enums are present on the wire; the unset start_ts_fallback is absent.
        Assert.Equal(Hex("10 00", "18 00", "22 08 0A 02 74 31 12 02 74 32"), Convert.ToHexString(checksum.ToByteArray()));

        var request = new Coprocessor.Request
        {
            Tp = 105,
            Data = ByteString.CopyFrom(1),
            Ranges = { new Coprocessor.KeyRange { Start = ByteString.CopyFromUtf8("a"), End = ByteString.CopyFromUtf8("b") } },
            StartTs = 10,
        };
        Assert.Equal(Hex("10 69", "1A 01 01", "22 06 0A 01 61 12 01 62", "38 0A"), Convert.ToHexString(request.ToByteArray()));
    }

    [Fact]
    public void Backup_meta_round_trips_through_its_parser()
    {
        var meta = new BackupMeta
        {
            ClusterId = 42,
            EndVersion = 1000,
            Version = 1,
            Files = { new Backup.File { Name = "1_2_default.sst", Cf = "default" } },
        }.Clone();

        var parsed = BackupMeta.Parser.ParseFrom(meta.ToByteArray());
        Assert.Equal(meta, parsed);
        Assert.Equal("backup.BackupMeta", BackupMeta.Descriptor.FullName);
        Assert.Equal("import_sstpb.SSTMeta", SSTMeta.Descriptor.FullName);
        Assert.Equal("kvrpcpb.Context", Context.Descriptor.FullName);
        Assert.Equal("tipb.ChecksumRequest", ChecksumRequest.Descriptor.FullName);
    }

    [Theory]
    [InlineData("tikvpb.Tikv", "KvGet", "kvrpcpb.GetRequest", "kvrpcpb.GetResponse")]
    [InlineData("tikvpb.Tikv", "Coprocessor", "coprocessor.Request", "coprocessor.Response")]
    [InlineData("backup.Backup", "backup", "backup.BackupRequest", "backup.BackupResponse")]
    [InlineData("import_sstpb.ImportSST", "MultiIngest", "import_sstpb.MultiIngestRequest", "import_sstpb.IngestResponse")]
    [InlineData("pdpb.PD", "Tso", "pdpb.TsoRequest", "pdpb.TsoResponse")]
    [InlineData("cairn.storepb.StoreAdmin", "ReceiveRegion", "cairn.storepb.RegionSnapshotChunk", "cairn.storepb.ReceiveRegionResponse")]
    public void Generated_services_carry_the_kvproto_names(string service, string method, string input, string output)
    {
        // The stubs send /{service full name}/{method name}: these names are the wire paths.
        var services = new[]
        {
            Tikvpb.Tikv.Descriptor, Backup.Backup.Descriptor, ImportSstpb.ImportSST.Descriptor, Pdpb.PD.Descriptor, Storepb.StoreAdmin.Descriptor,
        }.ToDictionary(s => s.FullName);
        var descriptor = services[service].FindMethodByName(method);

        Assert.NotNull(descriptor);
        Assert.Equal(input, descriptor.InputType.FullName);
        Assert.Equal(output, descriptor.OutputType.FullName);
    }

    private static string Hex(params string[] parts) => string.Concat(parts).Replace(" ", string.Empty, StringComparison.Ordinal);
}
