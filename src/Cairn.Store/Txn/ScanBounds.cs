using Cairn.Common.Mvcc;
using Cairn.Rpc.Metapb;

namespace Cairn.Store.Txn;

/// <summary>Turns a request's raw key bounds into encoded bounds inside a region.</summary>
internal static class ScanBounds
{
    /// <summary>Encodes raw bounds and clips them to the region: returns encoded [lower, upper) (empty upper = none).</summary>
    public static (byte[] Lower, byte[] Upper) Clip(ReadOnlySpan<byte> rawStart, ReadOnlySpan<byte> rawEnd, Region region)
    {
        var lower = rawStart.IsEmpty ? region.StartKey.ToByteArray() : MvccKey.EncodeKey(rawStart);
        if (lower.AsSpan().SequenceCompareTo(region.StartKey.Span) < 0)
        {
            lower = region.StartKey.ToByteArray();
        }

        var upper = rawEnd.IsEmpty ? region.EndKey.ToByteArray() : MvccKey.EncodeKey(rawEnd);
        if (!region.EndKey.IsEmpty && (upper.Length == 0 || upper.AsSpan().SequenceCompareTo(region.EndKey.Span) > 0))
        {
            upper = region.EndKey.ToByteArray();
        }

        return (lower, upper);
    }

    /// <summary>A request's <c>limit</c>: 0 means none (clients always set one; the region is then the bound).</summary>
    public static int Limit(uint limit) => limit == 0 ? int.MaxValue : (int)Math.Min(limit, int.MaxValue);
}
