namespace Cairn.Storage.Http;

/// <summary>Argument checks and whole-object transfers that the REST backends perform the same way.</summary>
internal static class HttpObjects
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
