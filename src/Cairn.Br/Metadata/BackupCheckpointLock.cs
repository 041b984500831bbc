using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Storage;

namespace Cairn.Br.Metadata;

/// <summary>
/// Who is running a checkpointed backup (BR's <c>checkpoint.lock</c>, §6): <c>checkpoint/lock</c> holds the job's lock
/// id (a TSO taken at its start), when the lock expires (pd physical ms, 5 minutes ahead, refreshed while the job runs)
/// and the host and pid of its br. Another br finds it live, and refuses, while it has not expired, unless it names a
/// process on this host that no longer runs (a br killed here: its rerun takes over at once). A lock that expired is
/// taken over, except one with a larger id: a later br owns the folder.
/// </summary>
internal sealed class BackupCheckpointLock
{
    /// <summary>The lock object.</summary>
    public const string Path = BackupCheckpoint.Folder + "/lock";

    /// <summary>BR-style error code of a storage whose backup another br is running.</summary>
    public const string LockedCode = "ErrBackupCheckpointLocked";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>How often a running job pushes its lock's expiry out.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    private readonly IExternalStorage _storage;
    private readonly ulong _lockId;
    private readonly long _startPhysicalMs;
    private readonly long _started = Stopwatch.GetTimestamp();

    private BackupCheckpointLock(IExternalStorage storage, ulong lockId, long startPhysicalMs)
    {
        _storage = storage;
        _lockId = lockId;
        _startPhysicalMs = startPhysicalMs;
    }

    /// <summary>
    /// Takes the lock of <paramref name="storage"/> for the job whose lock id is <paramref name="lockId"/> (a TSO of
    /// now). Throws <see cref="BrException"/> naming the holder when another br holds it.
    /// </summary>
    public static async Task<BackupCheckpointLock> AcquireAsync(IExternalStorage storage, ulong lockId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var now = Cairn.Common.Tso.Physical(lockId);
        var held = await ReadAsync(storage, cancellationToken).ConfigureAwait(false);
        if (held is not null && held.LockId != lockId)
        {
            var sameHost = string.Equals(held.Host, Environment.MachineName, StringComparison.Ordinal);
            var deadHere = sameHost && !IsRunning(held.Pid);
            if (held.ExpireAt > now && !deadHere)
            {
                throw new BrException(LockedCode,
                    $"the backup in {storage.Uri} is being run by another br (host {held.Host}, pid {held.Pid}; its lock {Path} holds until {DateTimeOffset.FromUnixTimeMilliseconds(held.ExpireAt):u}): wait for it to end, or delete {Path} if that br is gone");
            }

            if (held.ExpireAt <= now && held.LockId > lockId && !deadHere)
            {
                throw new BrException(LockedCode,
                    $"the backup in {storage.Uri} was locked by a br started after this one (lock id {held.LockId} > {lockId}): check the clocks, or delete {Path} to take the backup over");
            }
        }

        var taken = new BackupCheckpointLock(storage, lockId, now);
        await taken.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return taken;
    }

    /// <summary>Pushes the expiry out by the lock's lifetime from now.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var nowMs = _startPhysicalMs + (long)Stopwatch.GetElapsedTime(_started).TotalMilliseconds;
        var content = new LockContent
        {
            LockId = _lockId,
            ExpireAt = nowMs + (long)Lifetime.TotalMilliseconds,
            Host = Environment.MachineName,
            Pid = Environment.ProcessId,
        };
        await _storage.WriteAllAsync(Path, JsonSerializer.SerializeToUtf8Bytes(content), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the lock if it is still this job's (a run that stopped lets the next one in at once).</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        var held = await ReadAsync(_storage, cancellationToken).ConfigureAwait(false);
        if (held?.LockId == _lockId)
        {
            await _storage.DeleteAsync(Path, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<LockContent?> ReadAsync(IExternalStorage storage, CancellationToken cancellationToken)
    {
        try
        {
            return JsonSerializer.Deserialize<LockContent>(await storage.ReadAllAsync(Path, cancellationToken).ConfigureAwait(false));
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
        catch (JsonException)
        {
            // Unreadable (cut short by a crash while written): nobody can be shown to hold it.
            return null;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private sealed record LockContent
    {
        [JsonPropertyName("lock-id")]
        public ulong LockId { get; init; }

        [JsonPropertyName("expire-at")]
        public long ExpireAt { get; init; }

        [JsonPropertyName("host")]
        public string Host { get; init; } = "";

        [JsonPropertyName("pid")]
        public int Pid { get; init; }
    }
}
