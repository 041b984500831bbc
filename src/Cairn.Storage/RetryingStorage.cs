using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// Retries whole operations that are safe to repeat (exists, delete, read-all, write-all, opening a
/// reader or a writer, listing) when they fail with a transient error, following a <see cref="RetryPolicy"/>.
/// </summary>
/// <remarks>
/// What this decorator does not retry, and who does: a reader that loses its connection resumes from its
/// current offset by itself (the backend's read stream), and a writer's part uploads are retried inside the
/// backend's writer, which still holds the part's bytes (the decorator cannot replay a stream it never saw).
/// A listing that fails half-way is started again and the objects already returned are skipped, so callers
/// see each object once.
/// </remarks>
public sealed class RetryingStorage : IExternalStorage
{
    private readonly IExternalStorage _inner;
    private readonly RetryPolicy _policy;

    /// <summary>Wraps <paramref name="inner"/>; disposing this disposes it.</summary>
    public RetryingStorage(IExternalStorage inner, RetryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(policy);
        _inner = inner;
        _policy = policy;
    }

    /// <summary>The wrapped storage.</summary>
    public IExternalStorage Inner => _inner;

    /// <summary>The policy in force.</summary>
    public RetryPolicy Policy => _policy;

    /// <inheritdoc/>
    public string Uri => _inner.Uri;

    /// <inheritdoc/>
    public ValueTask<IStorageWriter> CreateAsync(string path, CancellationToken cancellationToken = default) =>
        _policy.ExecuteAsync(Describe("create", path), ct => _inner.CreateAsync(path, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<Stream> OpenReadAsync(string path, long offset = 0, long? length = null, CancellationToken cancellationToken = default) =>
        _policy.ExecuteAsync(Describe("open", path), ct => _inner.OpenReadAsync(path, offset, length, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<byte[]> ReadAllAsync(string path, CancellationToken cancellationToken = default) =>
        _policy.ExecuteAsync(Describe("read", path), ct => _inner.ReadAllAsync(path, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask WriteAllAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _policy.ExecuteAsync(Describe("write", path), ct => _inner.WriteAllAsync(path, data, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string path, CancellationToken cancellationToken = default) =>
        _policy.ExecuteAsync(Describe("exists", path), ct => _inner.ExistsAsync(path, ct), cancellationToken);

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        _policy.ExecuteAsync(Describe("delete", path), ct => _inner.DeleteAsync(path, ct), cancellationToken);

    /// <inheritdoc/>
    public async IAsyncEnumerable<StorageObject> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var operation = Describe("list", prefix);
        var started = TimeProvider.System.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            var enumerator = _inner.ListAsync(prefix, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using var disposeEnumerator = enumerator.ConfigureAwait(false);
            StorageException? error = null;
            while (true)
            {
                StorageObject current;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    current = enumerator.Current;
                }
                catch (Exception ex)
                {
                    error = StorageErrors.Classify(ex, operation, cancellationToken);
                    if (error is null)
                    {
                        throw;
                    }

                    break;
                }
                if (seen.Add(current.Path))
                {
                    yield return current;
                }
            }

            var elapsed = TimeProvider.System.GetElapsedTime(started);
            var delay = _policy.NextDelay(attempt, error.Kind);
            if (!error.IsTransient || error is StorageRetryExhaustedException)
            {
                throw error;
            }

            if (attempt >= Math.Max(1, _policy.MaxAttempts) || elapsed + delay > _policy.TotalBudget)
            {
                throw new StorageRetryExhaustedException($"gave up after {attempt} attempts: {error.Message}", attempt, error);
            }

            _policy.OnRetry?.Invoke(new StorageRetryEvent(operation, attempt, delay, error));
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    /// <inheritdoc/>
    public override string ToString() => $"RetryingStorage({_inner})";

    private string Describe(string verb, string path) => $"{verb} {StoragePath.Join(_inner.Uri.TrimEnd('/'), path)}";
}
