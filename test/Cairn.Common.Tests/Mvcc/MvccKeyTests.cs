using System.Buffers;
using Cairn.Common.Codec;
using Cairn.Common.Keys;
using Cairn.Common.Mvcc;

namespace Cairn.Common.Tests.Mvcc;

public sealed class MvccKeyTests
{
    [Fact]
    public void Data_key_layout()
    {
        var key = MvccKey.DataKey("abc"u8, 1);
        Assert.Equal("7A" + "6162630000000000FA" + "FFFFFFFFFFFFFFFE", Convert.ToHexString(key));
        Assert.Equal(key.Length, MvccKey.DataKeyLength(3, withTs: true));
        Assert.Equal("7A6162630000000000FA", Convert.ToHexString(MvccKey.DataKey("abc"u8)));
        Assert.Equal("6162630000000000FA" + "FFFFFFFFFFFFFFFE", Convert.ToHexString(MvccKey.EncodeKey("abc"u8, 1)));
    }

    [Fact]
    public void Data_key_round_trips()
    {
        var raw = TableKeyLike(3, 77);
        var key = MvccKey.DataKey(raw, 449_000_000_000_000_123);
        Assert.Equal(raw, MvccKey.DecodeDataKey(key, out var ts));
        Assert.Equal(449_000_000_000_000_123UL, ts);

        var destination = new byte[raw.Length];
        Assert.Equal(raw.Length, MvccKey.DecodeDataKey(key, destination, out ts));
        Assert.Equal(raw, destination);

        var lockKey = MvccKey.DataKey(raw);
        Assert.Equal(raw, MvccKey.DecodeDataKey(lockKey));

        var writer = new ArrayBufferWriter<byte>();
        MvccKey.WriteDataKey(writer, raw, 5);
        Assert.Equal(MvccKey.DataKey(raw, 5), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Raw_encoded_data_and_origin_conversions()
    {
        var raw = "user-key"u8.ToArray();
        var encoded = MvccKey.EncodeKey(raw);
        var data = MvccKey.ToDataKey(encoded);
        Assert.Equal(MvccKey.DataKey(raw), data);
        Assert.Equal(encoded, MvccKey.ToOriginKey(data).ToArray());
        Assert.Equal(raw, MvccKey.DecodeKey(encoded));

        var withTs = MvccKey.EncodeKey(raw, 9);
        Assert.Equal(encoded, MvccKey.SplitTs(withTs, out var ts).ToArray());
        Assert.Equal(9UL, ts);
        Assert.Equal(9UL, MvccKey.DecodeTs(MvccKey.ToDataKey(withTs)));
        Assert.Equal(raw, MvccKey.DecodeKey(withTs, out ts));
    }

    [Fact]
    public void Raw_KV_keys_are_not_encoded()
    {
        var key = MvccKey.RawKvDataKey("raw"u8);
        Assert.Equal("7A726177", Convert.ToHexString(key));
        Assert.Equal("raw"u8.ToArray(), MvccKey.DecodeRawKvDataKey(key).ToArray());
    }

    [Fact]
    public void User_keys_ascend_and_newer_versions_come_first()
    {
        var random = new Random(13);
        var entries = new List<(byte[] Raw, ulong Ts)>();
        for (var i = 0; i < 600; i++)
        {
            var raw = new byte[random.Next(0, 12)];
            for (var j = 0; j < raw.Length; j++)
            {
                raw[j] = (byte)(random.Next(0, 2) == 0 ? 0 : random.Next(256));
            }

            entries.Add((raw, (ulong)random.Next(0, 4) * 1000 + (ulong)random.Next(0, 3)));
            entries.Add((raw, ulong.MaxValue));
            entries.Add((raw, 0));
        }

        var expected = entries.Distinct(EntryComparer.Instance)
            .OrderBy(e => e.Raw, ByteKeyComparer.Instance).ThenByDescending(e => e.Ts).ToList();
        var actual = expected.OrderBy(e => e.Ts).Select(e => MvccKey.DataKey(e.Raw, e.Ts))
            .Order(ByteKeyComparer.Instance)
            .Select(k => (Raw: MvccKey.DecodeDataKey(k, out var ts), Ts: ts)).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Raw, actual[i].Raw);
            Assert.Equal(expected[i].Ts, actual[i].Ts);
        }
    }

    [Fact]
    public void Malformed_keys_are_rejected()
    {
        Assert.Throws<CodecException>(() => MvccKey.ToOriginKey("abc"u8));
        Assert.Throws<CodecException>(() => MvccKey.DecodeTs(new byte[7]));
        Assert.Throws<CodecException>(() => MvccKey.DecodeDataKey("z"u8, out _));
        var withJunk = MvccKey.ToDataKey(MemComparable.EncodeBytes("k"u8).Concat(new byte[] { 1 }).Concat(new byte[8]).ToArray());
        Assert.Throws<CodecException>(() => MvccKey.DecodeDataKey(withJunk, out _));
        Assert.Throws<CodecException>(() => MvccKey.DecodeDataKey(withJunk, new byte[16], out _));
    }

    private static byte[] TableKeyLike(long table, long handle) => Cairn.Common.Keys.TableCodec.EncodeRecordKey(table, handle);

    private sealed class EntryComparer : IEqualityComparer<(byte[] Raw, ulong Ts)>
    {
        public static readonly EntryComparer Instance = new();

        public bool Equals((byte[] Raw, ulong Ts) x, (byte[] Raw, ulong Ts) y) => x.Ts == y.Ts && x.Raw.AsSpan().SequenceEqual(y.Raw);

        public int GetHashCode((byte[] Raw, ulong Ts) obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj.Raw);
            hash.Add(obj.Ts);
            return hash.ToHashCode();
        }
    }
}
