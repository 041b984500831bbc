using Cairn.RocksDb.Native;

namespace Cairn.RocksDb;

/// <summary>
/// A value read without copying: it points into a memtable or a cached block, which stay pinned until this
/// object is disposed. Dispose it soon; it keeps its column family (and so the database) open.
/// </summary>
public sealed unsafe class PinnedValue : IDisposable
{
    private readonly PinnableSliceSafeHandle _handle;
    private readonly byte* _data;

    internal PinnedValue(PinnableSliceSafeHandle handle)
    {
        _handle = handle;
        _data = NativeMethods.rocksdb_pinnableslice_value(handle.DangerousGetHandle(), out var length);
        Length = checked((int)length);
    }

    /// <summary>The value's length in bytes.</summary>
    public int Length { get; }

    /// <summary>The value bytes; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return new ReadOnlySpan<byte>(_data, Length);
        }
    }

    /// <summary>Copies the value into a new array.</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
