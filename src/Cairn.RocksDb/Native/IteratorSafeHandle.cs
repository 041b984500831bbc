using System.Runtime.InteropServices;

namespace Cairn.RocksDb.Native;

/// <summary>
/// Owns a <c>rocksdb_iterator_t</c> together with the read options it was created from and the native copies of
/// its bounds. RocksDB keeps only a pointer to the bound bytes (c.cc builds a Slice over the caller's buffer), so
/// the bounds must outlive the iterator and must not move: they are freed here, after the iterator.
/// </summary>
internal sealed unsafe class IteratorSafeHandle : NativeSafeHandle
{
    private IntPtr _readOptions;
    private byte* _lowerBound;
    private byte* _upperBound;

    /// <summary>The read options the iterator is created from.</summary>
    internal IntPtr OwnedReadOptions => _readOptions;

    /// <summary>Hands the read options and bound buffers to this handle; they are freed with the iterator.</summary>
    internal void OwnReadOptions(IntPtr readOptions, byte* lowerBound, byte* upperBound)
    {
        _readOptions = readOptions;
        _lowerBound = lowerBound;
        _upperBound = upperBound;
    }

    /// <summary>Frees what <see cref="OwnReadOptions"/> handed over when the iterator itself was never created.</summary>
    internal void FreeOwnedIfInvalid()
    {
        if (IsInvalid)
        {
            FreeOwned();
        }
    }

    protected override void Free(IntPtr ptr)
    {
        NativeMethods.rocksdb_iter_destroy(ptr);
        FreeOwned();
    }

    private void FreeOwned()
    {
        if (_readOptions != IntPtr.Zero)
        {
            NativeMethods.rocksdb_readoptions_destroy(_readOptions);
            _readOptions = IntPtr.Zero;
        }

        NativeMemory.Free(_lowerBound);
        NativeMemory.Free(_upperBound);
        _lowerBound = null;
        _upperBound = null;
    }
}
