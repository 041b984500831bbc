using Cairn.Client.Regions;
using Cairn.Common.Keys;
using Cairn.Pd.Client;
using Cairn.Rpc.Kvrpcpb;
using Google.Protobuf;

namespace Cairn.Client.Txn;

/// <summary>
/// An optimistic Percolator transaction: reads at its start timestamp (seeing its own buffered writes), writes
/// buffered locally until <see cref="CommitAsync"/>. Not safe for concurrent use.
/// </summary>
/// <remarks>
/// Commit protocol. The primary is the smallest key written. Prewrite sends the batch of the region holding the
/// primary first and, once it succeeds, the other regions' batches in parallel: in the common case no secondary is
/// ever locked under a primary that failed to prewrite (correctness does not depend on it, since resolvers roll back a
/// missing primary only after the lock TTL). Locks of other transactions met during prewrite are resolved and the batch
/// retried; a write conflict rolls the transaction back and throws <see cref="WriteConflictException"/>. Then a commit
/// timestamp comes from pd and the primary key alone is committed: that is the commit point. The secondaries are
/// then committed per region in parallel; a failure there does not fail the transaction (it is committed), the
/// remaining locks are left to be committed by whichever reader meets them (it finds the primary committed).
/// </remarks>
public sealed class Transaction
{
    private const long TtlPerMiBMs = 6_000;
    private readonly TxnClient _client;
    private readonly Snapshot _snapshot;
    private readonly SortedDictionary<byte[], byte[]?> _buffer = new(ByteKeyComparer.Instance);
    private State _state;

    internal Transaction(TxnClient client, ulong startTs)
    {
        _client = client;
        _snapshot = new Snapshot(client, startTs);
    }

    private enum State
    {
        Active,
        Committing,
        Committed,
        RolledBack,
    }

    /// <summary>The start timestamp: every read sees the data committed before it.</summary>
    public ulong StartTs => _snapshot.Timestamp;

    /// <summary>The commit timestamp once committed; 0 before (and for read-only transactions).</summary>
    public ulong CommitTs { get; private set; }

    /// <summary>Number of buffered writes.</summary>
    public int MutationCount => _buffer.Count;

    private RegionCache Cache => _client.Cache;

    /// <summary>The value of <paramref name="key"/>: this transaction's own write if any, else the value at the start timestamp.</summary>
    public Task<byte[]?> GetAsync(byte[] key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfNotActive();
        return _buffer.TryGetValue(key, out var own) ? Task.FromResult(own) : _snapshot.GetAsync(key, cancellationToken);
    }

    /// <summary>The values of those of <paramref name="keys"/> that have one, own writes included.</summary>
    public async Task<IReadOnlyDictionary<byte[], byte[]>> BatchGetAsync(IEnumerable<byte[]> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfNotActive();
        var result = new Dictionary<byte[], byte[]>(ByteKeyComparer.Instance);
        var remote = new List<byte[]>();
        foreach (var key in keys)
        {
            if (_buffer.TryGetValue(key, out var own))
            {
                if (own is not null)
                {
                    result[key] = own;
                }
            }
            else
            {
                remote.Add(key);
            }
        }

        if (remote.Count > 0)
        {
            foreach (var (key, value) in await _snapshot.BatchGetAsync(remote, cancellationToken).ConfigureAwait(false))
            {
                result[key] = value;
            }
        }

        return result;
    }

    /// <summary>Pairs in <c>[start, end)</c> (empty end = unbounded) in key order, at most <paramref name="limit"/>, own writes included.</summary>
    public async Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[] start, byte[] end, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ThrowIfNotActive();
        var own = _buffer.Where(e => e.Key.AsSpan().SequenceCompareTo(start) >= 0 && (end.Length == 0 || e.Key.AsSpan().SequenceCompareTo(end) < 0)).ToList();
        // Each own delete may hide one stored pair, so fetch that many more to still fill the limit.
        var deletes = own.Count(e => e.Value is null);
        var stored = await _snapshot.ScanAsync(start, end, (int)Math.Min(int.MaxValue, (long)limit + deletes), keyOnly: false, cancellationToken).ConfigureAwait(false);
        var merged = new List<KeyValuePair<byte[], byte[]>>();
        int i = 0, j = 0;
        while (merged.Count < limit && (i < stored.Count || j < own.Count))
        {
            var order = i >= stored.Count ? 1 : j >= own.Count ? -1 : stored[i].Key.AsSpan().SequenceCompareTo(own[j].Key);
            if (order < 0)
            {
                merged.Add(stored[i++]);
                continue;
            }

            if (order == 0)
            {
                i++;
            }

            var (key, value) = own[j++];
            if (value is not null)
            {
                merged.Add(new KeyValuePair<byte[], byte[]>(key, value));
            }
        }

        return merged;
    }

    /// <summary>Buffers a write of <paramref name="value"/> to <paramref name="key"/>.</summary>
    public void Set(byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfZero(key.Length, nameof(key));
        ThrowIfNotActive();
        _buffer[key.ToArray()] = value.ToArray();
    }

    /// <summary>Buffers a delete of <paramref name="key"/>.</summary>
    public void Delete(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfZero(key.Length, nameof(key));
        ThrowIfNotActive();
        _buffer[key.ToArray()] = null;
    }

    /// <summary>Discards the buffered writes; nothing was written to the cluster yet.</summary>
    public void Rollback()
    {
        if (_state == State.Active)
        {
            _buffer.Clear();
            _state = State.RolledBack;
        }
    }

    /// <summary>
    /// Commits the buffered writes with two-phase commit (see the type's remarks) and returns the commit timestamp
    /// (0 for a read-only transaction).
    /// </summary>
    /// <exception cref="WriteConflictException">A key was written by a transaction that committed after this one started.</exception>
    /// <exception cref="TxnUndeterminedException">The primary's commit could not be confirmed.</exception>
    public async Task<ulong> CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotActive();
        _state = State.Committing;
        if (_buffer.Count == 0)
        {
            _state = State.Committed;
            return 0;
        }

        var mutations = new Dictionary<byte[], Mutation>(ByteKeyComparer.Instance);
        long bytes = 0;
        foreach (var (key, value) in _buffer)
        {
            mutations[key] = new Mutation
            {
                Op = value is null ? Op.Del : Op.Put,
                Key = ByteString.CopyFrom(key),
                Value = value is null ? ByteString.Empty : ByteString.CopyFrom(value),
            };
            bytes += key.Length + (value?.Length ?? 0);
        }

        var primary = _buffer.Keys.First();
        var commit = new CommitState(primary, mutations, LockTtl(bytes), (ulong)mutations.Count);
        try
        {
            await PrewriteAsync(commit, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await RollbackLocksAsync(commit).ConfigureAwait(false);
            _state = State.RolledBack;
            throw;
        }

        await CommitPrimaryAsync(commit, cancellationToken).ConfigureAwait(false);
        _state = State.Committed;
        _client.OnCommitted();
        await CommitSecondariesAsync(commit, cancellationToken).ConfigureAwait(false);
        return CommitTs;
    }

    /// <summary>Lock TTL for a transaction writing <paramref name="bytes"/>: the minimum plus 6 s per MiB, capped.</summary>
    internal ulong LockTtl(long bytes)
    {
        var ms = _client.Options.MinLockTtl.TotalMilliseconds + (TtlPerMiBMs * bytes / (1024.0 * 1024.0));
        return (ulong)Math.Min(ms, _client.Options.MaxLockTtl.TotalMilliseconds);
    }

    private async Task PrewriteAsync(CommitState commit, CancellationToken cancellationToken)
    {
        var backoffer = _client.NewWriteBackoffer();
        var groups = await Cache.GroupKeysByRegionAsync(commit.Mutations.Keys, KeyMode.Txn, backoffer, cancellationToken).ConfigureAwait(false);
        var primaryGroup = groups.First(g => g.Keys.Any(k => ByteKeyComparer.Instance.Equals(k, commit.Primary)));
        await PrewriteGroupAsync(commit, primaryGroup, backoffer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(groups.Where(g => g != primaryGroup).Select(g => PrewriteGroupAsync(commit, g, backoffer, cancellationToken))).ConfigureAwait(false);
    }

    private async Task PrewriteKeysAsync(CommitState commit, IReadOnlyList<byte[]> keys, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var groups = await Cache.GroupKeysByRegionAsync(keys, KeyMode.Txn, backoffer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(groups.Select(g => PrewriteGroupAsync(commit, g, backoffer, cancellationToken))).ConfigureAwait(false);
    }

    private async Task PrewriteGroupAsync(CommitState commit, KeyGroup group, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var what = $"prewrite of txn {StartTs} ({group.Keys.Count} keys from {Convert.ToHexString(group.Keys[0])})";
        var response = await Cache.SendAsync(group.Region, "KvPrewrite", static (t, r, o) => t.KvPrewriteAsync(r, o), c =>
        {
            var request = new PrewriteRequest
            {
                Context = c,
                PrimaryLock = ByteString.CopyFrom(commit.Primary),
                StartVersion = StartTs,
                LockTtl = commit.Ttl,
                TxnSize = commit.TxnSize,
            };
            foreach (var key in group.Keys)
            {
                request.Mutations.Add(commit.Mutations[key]);
            }

            return request;
        }, r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            await PrewriteKeysAsync(commit, group.Keys, backoffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (response.Errors.Count == 0)
        {
            return;
        }

        var locks = new List<LockInfo>();
        foreach (var error in response.Errors)
        {
            if (error.Conflict is { } conflict)
            {
                throw new WriteConflictException(StartTs, conflict.ConflictTs, conflict.ConflictCommitTs, conflict.Key.ToByteArray());
            }

            if (error.Locked is { } locked)
            {
                locks.Add(locked);
                continue;
            }

            var retryable = error.Retryable.Length > 0;
            throw new TxnAbortedException($"{what} on {group.Region} failed: {TxnErrorFormat.Describe(error)}", retryable);
        }

        // Caller ts 0: a writer cannot get past a live lock by pushing its min commit ts (that only helps readers), so
        // it must wait for the lock to go away.
        var wait = await _client.Resolver.ResolveAsync(locks, 0, backoffer, cancellationToken).ConfigureAwait(false);
        if (wait > TimeSpan.Zero)
        {
            await backoffer.BackoffAsync(BackoffKind.TxnLock, $"{what} on {group.Region}", TxnErrorFormat.Describe(response.Errors[0]), cancellationToken).ConfigureAwait(false);
        }

        await PrewriteKeysAsync(commit, group.Keys, backoffer, cancellationToken).ConfigureAwait(false);
    }

    private async Task CommitPrimaryAsync(CommitState commit, CancellationToken cancellationToken)
    {
        var backoffer = _client.NewWriteBackoffer();
        var primary = ByteString.CopyFrom(commit.Primary);
        var what = $"commit of txn {StartTs} primary {Convert.ToHexString(commit.Primary)}";
        try
        {
            CommitTs = await _client.TimestampAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PdException e)
        {
            // Nothing is committed yet: give the locks back and let the caller run the transaction again.
            _state = State.RolledBack;
            await RollbackLocksAsync(commit).ConfigureAwait(false);
            throw new TxnAbortedException($"{what}: no commit timestamp from pd: {e.Message}", e.IsTransient);
        }

        while (true)
        {
            CommitResponse response;
            try
            {
                var commitTs = CommitTs;
                (_, response) = await Cache.Requests.SendToKeyAsync(commit.Primary, KeyMode.Txn, "KvCommit", static (t, r, o) => t.KvCommitAsync(r, o),
                    c => new CommitRequest { Context = c, StartVersion = StartTs, CommitVersion = commitTs, Keys = { primary }, PrimaryKey = primary },
                    r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
            }
            catch (RegionUnavailableException e)
            {
                // Some attempt may have reached the store before it stopped answering: the outcome is unknown.
                _state = State.RolledBack;
                throw new TxnUndeterminedException($"{what} at ts {CommitTs} is undetermined: {e.Message}", e);
            }

            if (response.Error is not { } error)
            {
                return;
            }

            if (error.CommitTsExpired is not null)
            {
                // A reader pushed the lock's min_commit_ts past our commit ts: commit later.
                CommitTs = await _client.TimestampAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            _state = State.RolledBack;
            await RollbackLocksAsync(commit).ConfigureAwait(false);
            // TxnLockNotFound: a resolver rolled the primary back after its TTL; running again may succeed.
            throw new TxnAbortedException($"{what} at ts {CommitTs} failed: {TxnErrorFormat.Describe(error)}", isRetryable: error.TxnLockNotFound is not null || error.Retryable.Length > 0);
        }
    }

    private async Task CommitSecondariesAsync(CommitState commit, CancellationToken cancellationToken)
    {
        var secondaries = commit.Mutations.Keys.Where(k => !ByteKeyComparer.Instance.Equals(k, commit.Primary)).ToList();
        if (secondaries.Count == 0)
        {
            return;
        }

        var backoffer = _client.NewWriteBackoffer();
        try
        {
            await CommitKeysAsync(secondaries, backoffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ClientException or PdException)
        {
            // The transaction is committed (its primary is); readers meeting the leftover locks commit them.
            _client.OnSecondaryFailure();
        }
    }

    private async Task CommitKeysAsync(IReadOnlyList<byte[]> keys, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var groups = await Cache.GroupKeysByRegionAsync(keys, KeyMode.Txn, backoffer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(groups.Select(async g =>
        {
            var what = $"commit of txn {StartTs} ({g.Keys.Count} secondaries from {Convert.ToHexString(g.Keys[0])})";
            var commitTs = CommitTs;
            var response = await Cache.SendAsync(g.Region, "KvCommit", static (t, r, o) => t.KvCommitAsync(r, o),
                c => new CommitRequest { Context = c, StartVersion = StartTs, CommitVersion = commitTs, Keys = { g.Keys.Select(ByteString.CopyFrom) } },
                r => r.RegionError, backoffer, what, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                await CommitKeysAsync(g.Keys, backoffer, cancellationToken).ConfigureAwait(false);
            }
            else if (response.Error is { } error)
            {
                throw new TxnAbortedException($"{what} on {g.Region} failed: {TxnErrorFormat.Describe(error)}", isRetryable: false);
            }
        })).ConfigureAwait(false);
    }

    // Best effort: locks left behind are rolled back by resolvers after their TTL anyway.
    private async Task RollbackLocksAsync(CommitState commit)
    {
        // Every key, not only acknowledged ones: a request may have been applied before its answer was lost, and
        // rolling back a key this transaction never locked is harmless.
        var keys = commit.Mutations.Keys.ToList();
        using var timeout = new CancellationTokenSource(_client.Options.RequestTimeout);
        var backoffer = new Backoffer(TimeSpan.FromSeconds(2));
        try
        {
            await RollbackKeysAsync(keys, backoffer, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ClientException or PdException or OperationCanceledException)
        {
        }
    }

    private async Task RollbackKeysAsync(IReadOnlyList<byte[]> keys, Backoffer backoffer, CancellationToken cancellationToken)
    {
        var groups = await Cache.GroupKeysByRegionAsync(keys, KeyMode.Txn, backoffer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(groups.Select(async g =>
        {
            var response = await Cache.SendAsync(g.Region, "KvBatchRollback", static (t, r, o) => t.KvBatchRollbackAsync(r, o),
                c => new BatchRollbackRequest { Context = c, StartVersion = StartTs, Keys = { g.Keys.Select(ByteString.CopyFrom) } },
                r => r.RegionError, backoffer, $"rollback of txn {StartTs}", cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                await RollbackKeysAsync(g.Keys, backoffer, cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }

    private void ThrowIfNotActive()
    {
        if (_state != State.Active)
        {
            throw new InvalidOperationException($"transaction {StartTs} is {_state.ToString().ToLowerInvariant()}");
        }
    }

    private sealed record CommitState(byte[] Primary, Dictionary<byte[], Mutation> Mutations, ulong Ttl, ulong TxnSize);
}
