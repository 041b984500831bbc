using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Cairn.RocksDb.Native;

/// <summary>
/// Base of every RocksDB SafeHandle. A handle may hold a reference on up to two parent handles (for example an
/// iterator on its column family and snapshot, a column family on its database) so that RocksDB objects are
/// always destroyed before the objects they point into, whatever order callers dispose them in.
/// </summary>
internal abstract class NativeSafeHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private SafeHandle? _parent1;
    private SafeHandle? _parent2;

    protected NativeSafeHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>The first parent, for release functions that need it (snapshots need their database).</summary>
    protected SafeHandle? Parent1 => _parent1;

    /// <summary>
    /// Adds a reference on <paramref name="parent"/> that this handle gives back when it is released. Call this
    /// before the native object is created, so a parent being disposed concurrently fails cleanly instead of being
    /// closed under the new object.
    /// </summary>
    internal void AddParent(SafeHandle parent)
    {
        var added = false;
        parent.DangerousAddRef(ref added);
        if (_parent1 is null)
        {
            _parent1 = parent;
        }
        else if (_parent2 is null)
        {
            _parent2 = parent;
        }
        else
        {
            parent.DangerousRelease();
            throw new InvalidOperationException("A native handle can hold at most two parents.");
        }
    }

    /// <summary>Takes ownership of <paramref name="ptr"/>. A null pointer leaves the handle invalid.</summary>
    internal void Attach(IntPtr ptr) => SetHandle(ptr);

    /// <summary>
    /// Gives back the parent references of a handle whose native object was never created, so nothing leaks when
    /// creation fails.
    /// </summary>
    internal void AbandonIfInvalid()
    {
        if (!IsInvalid)
        {
            return;
        }

        ReleaseParents();
        SetHandleAsInvalid();
    }

    protected abstract void Free(IntPtr ptr);

    protected sealed override bool ReleaseHandle()
    {
        Free(handle);
        ReleaseParents();
        return true;
    }

    private void ReleaseParents()
    {
        var p2 = Interlocked.Exchange(ref _parent2, null);
        var p1 = Interlocked.Exchange(ref _parent1, null);
        p2?.DangerousRelease();
        p1?.DangerousRelease();
    }
}
