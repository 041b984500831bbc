using System.Buffers.Binary;

namespace Cairn.Store.Engine;

/// <summary>
/// Keys of the store's own metadata, under TiKV's local prefix <c>0x01</c>. Every data key starts with <c>z</c>
/// (0x7A) and every scan is bounded to <c>[z, {)</c>, so no request ever reaches these keys.
/// </summary>
internal static class LocalKeys
{
    /// <summary>The local prefix.</summary>
    public const byte LocalPrefix = 0x01;

    private const byte RegionMetaPrefix = 0x03;
    private const byte RegionStateSuffix = 0x01;

    /// <summary>The store's identity (<c>StoreIdent</c>), as TiKV's <c>STORE_IDENT_KEY</c>.</summary>
    public static ReadOnlySpan<byte> StoreIdent => [LocalPrefix, 0x01];

    /// <summary>High-water mark of the local ID allocator (our own key; TiKV asks pd instead).</summary>
    public static ReadOnlySpan<byte> IdAllocator => [LocalPrefix, 0x05];

    /// <summary>Lower bound of every region state key.</summary>
    public static ReadOnlySpan<byte> RegionMetaMin => [LocalPrefix, RegionMetaPrefix];

    /// <summary>Upper bound (exclusive) of every region state key.</summary>
    public static ReadOnlySpan<byte> RegionMetaMax => [LocalPrefix, RegionMetaPrefix + 1];

    /// <summary>The key of one region's state: <c>0x01 0x03 {region_id big-endian} 0x01</c>, as TiKV lays it out.</summary>
    public static byte[] RegionState(ulong regionId)
    {
        var key = new byte[11];
        key[0] = LocalPrefix;
        key[1] = RegionMetaPrefix;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(2), regionId);
        key[10] = RegionStateSuffix;
        return key;
    }

    /// <summary>Lowest data key: the data prefix alone.</summary>
    public static ReadOnlySpan<byte> DataMin => "z"u8;

    /// <summary>Upper bound (exclusive) of every data key: the byte after the data prefix.</summary>
    public static ReadOnlySpan<byte> DataMax => "{"u8;
}
