using Cairn.Common.Codec;
using Cairn.Common.Keys;

namespace Cairn.Common.Tests.Keys;

public sealed class MetaKeysTests
{
    [Fact]
    public void String_key_layout()
    {
        // m + EncodeBytes("NextGlobalID") + EncodeUint('s')
        var key = MetaKeys.StringKey(MetaKeys.NextGlobalId);
        Assert.Equal(
            "6D" + "4E657874476C6F62FF616C494400000000FB" + "0000000000000073",
            Convert.ToHexString(key));
    }

    [Fact]
    public void Hash_keys_layout_and_decode()
    {
        var field = MetaKeys.HashFieldKey(MetaKeys.Databases, MetaKeys.DatabaseField(2));
        Assert.Equal(
            "6D" + "4442730000000000FA" + "0000000000000068" + "44423A3200000000FB",
            Convert.ToHexString(field));
        var (key, name) = MetaKeys.DecodeHashFieldKey(field);
        Assert.Equal("DBs"u8.ToArray(), key);
        Assert.Equal("DB:2"u8.ToArray(), name);

        Assert.Equal("6D" + "4442730000000000FA" + "0000000000000048", Convert.ToHexString(MetaKeys.HashMetaKey("DBs")));
        var prefix = MetaKeys.HashFieldPrefix("DBs");
        Assert.True(field.AsSpan().StartsWith(prefix));
        Assert.True(KeyBytes.Compare(field, KeyBytes.PrefixNext(prefix)) < 0);
    }

    [Fact]
    public void List_item_key_and_structure_decode()
    {
        var item = MetaKeys.ListItemKey("DDLJobList"u8, -1);
        var rest = MetaKeys.DecodeStructureKey(item, out var key, out var flag);
        Assert.Equal("DDLJobList"u8.ToArray(), key);
        Assert.Equal(MetaKeys.ListDataFlag, flag);
        Assert.Equal(-1, NumberCodec.DecodeInt(rest));
        MetaKeys.DecodeStructureKey(MetaKeys.ListMetaKey("DDLJobList"u8), out _, out flag);
        Assert.Equal(MetaKeys.ListMetaFlag, flag);
    }

    [Fact]
    public void Field_names()
    {
        Assert.Equal("DB:12", MetaKeys.DatabaseField(12));
        Assert.Equal("Table:34", MetaKeys.TableField(34));
        Assert.Equal("TID:34", MetaKeys.AutoTableIdField(34));
        Assert.Equal("TARID:34", MetaKeys.AutoRandomIdField(34));
        Assert.Equal("IID:34", MetaKeys.AutoIncrementIdField(34));
        Assert.Equal("SID:34", MetaKeys.SequenceValueField(34));
        Assert.Equal("SequenceCycle:34", MetaKeys.SequenceCycleField(34));
    }

    [Fact]
    public void Meta_values()
    {
        Assert.Equal(5, MetaKeys.DecodeHashMetaValue(MetaKeys.EncodeHashMetaValue(5)));
        Assert.Equal(0, MetaKeys.DecodeHashMetaValue([]));
        Assert.Equal((-3L, 4L), MetaKeys.DecodeListMetaValue(MetaKeys.EncodeListMetaValue(-3, 4)));
        Assert.Throws<CodecException>(() => MetaKeys.DecodeListMetaValue(new byte[5]));
    }

    [Fact]
    public void Non_meta_keys_are_rejected()
    {
        Assert.Throws<CodecException>(() => MetaKeys.DecodeHashFieldKey(TableCodec.TablePrefix(1)));
        Assert.Throws<CodecException>(() => MetaKeys.DecodeHashFieldKey(MetaKeys.StringKey("x")));
    }
}
