using System.Text.Json;
using Cairn.Client.Txn;
using Cairn.Common.Keys;
using Cairn.Storage;

namespace Cairn.Br.Checkpoint;

/// <summary>
/// Where a restore's checkpoint is kept: by default in the target cluster, under a meta string key beside the
/// restore chain record (so it lives and dies with the data it describes); with <c>--checkpoint-storage</c> as one
/// object in that external storage. Each write replaces the whole record atomically.
/// </summary>
internal sealed class RestoreCheckpointStore : IAsyncDisposable
{
    /// <summary>The meta string key in the target cluster.</summary>
    public const string KeyName = "BRRestoreCheckpoint";

    /// <summary>The object in a <c>--checkpoint-storage</c>.</summary>
    public const string ObjectPath = "checkpoints/restore/checkpoint.json";

    private static readonly byte[] Key = MetaKeys.StringKey(KeyName);

    private readonly TxnClient? _client;
    private readonly IExternalStorage? _storage;

    private RestoreCheckpointStore(TxnClient? client, IExternalStorage? storage)
    {
        _client = client;
        _storage = storage;
    }

    /// <summary>Keeps the checkpoint in the target cluster.</summary>
    public static RestoreCheckpointStore InCluster(TxnClient client) => new(client, null);

    /// <summary>Keeps the checkpoint in <paramref name="storage"/>, which the store then owns.</summary>
    public static RestoreCheckpointStore InStorage(IExternalStorage storage) => new(null, storage);

    /// <summary>The store <paramref name="options"/> ask for: <see cref="RestoreOptions.CheckpointStorage"/>, else the target cluster.</summary>
    public static async Task<RestoreCheckpointStore> OpenAsync(RestoreOptions options, TxnClient target, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.CheckpointStorage))
        {
            return InCluster(target);
        }

        var url = JobErrors.ParseStorage(options.CheckpointStorage, options.StorageOptions);
        return InStorage(await ExternalStorage.OpenAsync(url, options.StorageOptions, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Where it is, for messages.</summary>
    public string Describe => _storage is null ? $"the target cluster (meta key {KeyName})" : $"{_storage.Uri}/{ObjectPath}";

    /// <summary>The record, or null when there is none.</summary>
    /// <exception cref="BrException">It is there but not readable.</exception>
    public async Task<RestoreCheckpointRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        byte[]? bytes;
        if (_storage is not null)
        {
            try
            {
                bytes = await _storage.ReadAllAsync(ObjectPath, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
            {
                return null;
            }
        }
        else
        {
            var snapshot = await _client!.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            bytes = await snapshot.GetAsync(Key, cancellationToken).ConfigureAwait(false);
            if (bytes is null || bytes.Length == 0)
            {
                return null;
            }
        }

        try
        {
            return JsonSerializer.Deserialize<RestoreCheckpointRecord>(bytes);
        }
        catch (JsonException e)
        {
            throw new BrException(RestoreCheckpoint.InvalidCode,
                $"the restore checkpoint in {Describe} is not readable ({JobErrors.OneLine(e.Message)}): clear it by running the restore with --use-checkpoint=false", e);
        }
    }

    /// <summary>Whether a record is there at all, readable or not.</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        if (_storage is not null)
        {
            return await _storage.ExistsAsync(ObjectPath, cancellationToken).ConfigureAwait(false);
        }

        var snapshot = await _client!.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        return await snapshot.GetAsync(Key, cancellationToken).ConfigureAwait(false) is { Length: > 0 };
    }

    /// <summary>Replaces the record.</summary>
    public async Task WriteAsync(RestoreCheckpointRecord record, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record);
        if (_storage is not null)
        {
            await _storage.WriteAllAsync(ObjectPath, bytes, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _client!.RunInTransactionAsync(txn =>
        {
            txn.Set(Key, bytes);
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the record (nothing when there is none).</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        if (_storage is not null)
        {
            if (await _storage.ExistsAsync(ObjectPath, cancellationToken).ConfigureAwait(false))
            {
                await _storage.DeleteAsync(ObjectPath, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await _client!.RunInTransactionAsync(txn =>
        {
            txn.Delete(Key);
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
    }
}
