namespace Cairn.Storage;

/// <summary>Argument checks and whole-object transfers that the Azure Blob and GCS backends perform the same way.</summary>
internal static class BackendHelpers
{
    /// <summary>Checks the arguments of <see cref="IExternalStorage.OpenReadAsync"/>.</summary>
    public static void ValidateRead(string path, long offset, long? length)
    {
        StoragePath.Validate(path);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(length));
        }
    }

    /// <summary>A read-only stream over <paramref name="data"/>, without a copy when it is backed by an array (it always is here).</summary>
    public static MemoryStream AsStream(ReadOnlyMemory<byte> data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    /// <summary>Reads a whole object through a reader opened on all of it, then disposes the reader.</summary>
    public static async ValueTask<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        await using (stream.ConfigureAwait(false))
        {
            var data = new byte[stream.Length];
            await stream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
            return data;
        }
    }

    /// <summary>Writes a whole object through a writer, completes it, then disposes the writer.</summary>
    public static async ValueTask WriteAllAsync(IStorageWriter writer, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the checks of a storage just opened; if they fail, disposes the storage before the failure propagates.</summary>
    public static async Task<T> CheckOpenedAsync<T>(T storage, Func<T, CancellationToken, Task> check, CancellationToken cancellationToken)
        where T : IAsyncDisposable
    {
        try
        {
            await check(storage, cancellationToken).ConfigureAwait(false);
            return storage;
        }
        catch
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
