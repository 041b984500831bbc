using System.Globalization;
using System.Security.Cryptography;
using Cairn.Rpc.Checkpointpb;
using Cairn.Storage;
using Google.Protobuf;

namespace Cairn.Br.Metadata;

/// <summary>
/// The progress of a running backup, kept in the backup storage under <c>checkpoint/</c>: a header written once
/// (<c>checkpoint/header</c>) and one segment per flush (<c>checkpoint/ranges.NNNNNNNNN</c>) holding only the ranges
/// recorded since the previous flush. Each object is written whole and atomically and its body carries a SHA-256, so
/// a crash at any point leaves every earlier flush readable. Nothing here is named backupmeta: a folder with only a
/// checkpoint never looks like a finished backup.
/// </summary>
public sealed class BackupCheckpoint
{
    /// <summary>The folder, relative to the storage base.</summary>
    public const string Folder = BackupFiles.CheckpointFolder;

    /// <summary>The header object.</summary>
    public const string HeaderPath = Folder + "/header";

    /// <summary>BR-style error code for a checkpoint that cannot be used.</summary>
    public const string InvalidCode = "ErrInvalidCheckpoint";

    private const string SegmentPrefix = "ranges.";
    private const uint FormatVersion = 1;

    private readonly IExternalStorage _storage;
    private readonly Lock _pendingLock = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private List<Rpc.Checkpointpb.CompletedRange> _pending = [];
    private ulong _nextSequence;

    private BackupCheckpoint(IExternalStorage storage, BackupCheckpointHeader header, IReadOnlyList<CompletedRange> completed, IReadOnlyList<string> damaged, ulong nextSequence)
    {
        _storage = storage;
        Header = header;
        CompletedRanges = completed;
        DamagedSegments = damaged;
        _nextSequence = nextSequence;
    }

    /// <summary>What identifies the job.</summary>
    public BackupCheckpointHeader Header { get; }

    /// <summary>
    /// The ranges that were done when the checkpoint was opened (empty for a new one), in the order they were
    /// recorded; ranges recorded since are not added here.
    /// </summary>
    public IReadOnlyList<CompletedRange> CompletedRanges { get; }

    /// <summary>Segments found unreadable when opening (their ranges are simply backed up again).</summary>
    public IReadOnlyList<string> DamagedSegments { get; }

    /// <summary>Ranges recorded and not yet flushed.</summary>
    public int PendingCount
    {
        get
        {
            lock (_pendingLock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Starts a checkpoint for a new job by writing its header. Throws <see cref="BrException"/> when the storage
    /// already holds a checkpoint (resume it with <see cref="TryOpenAsync"/>, or remove it with <see cref="DeleteAsync"/>).
    /// </summary>
    public static async Task<BackupCheckpoint> CreateAsync(IExternalStorage storage, BackupCheckpointHeader header, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(header);
        if (await storage.ExistsAsync(HeaderPath, cancellationToken).ConfigureAwait(false))
        {
            throw new BrException(InvalidCode, $"{storage.Uri} already holds a backup checkpoint ({HeaderPath}): resume that backup, or delete the {Folder}/ folder to start over");
        }
        var message = new CheckpointHeader
        {
            FormatVersion = FormatVersion,
            ClusterId = header.ClusterId,
            BackupTs = header.BackupTs,
            LastBackupTs = header.LastBackupTs,
            Fingerprint = header.Fingerprint ?? "",
            SafePointId = header.SafePointId ?? "",
            CreatedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        await storage.WriteAllAsync(HeaderPath, message.ToByteArray(), cancellationToken).ConfigureAwait(false);
        return new BackupCheckpoint(storage, header, [], [], 1);
    }

    /// <summary>
    /// Opens the checkpoint in <paramref name="storage"/>, or returns null when there is none. Segments are read in
    /// order; one that fails its check is listed in <see cref="DamagedSegments"/> and skipped. Throws
    /// <see cref="BrException"/> when the header itself is unreadable.
    /// </summary>
    public static async Task<BackupCheckpoint?> TryOpenAsync(IExternalStorage storage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        byte[] headerBytes;
        try
        {
            headerBytes = await storage.ReadAllAsync(HeaderPath, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
        CheckpointHeader message;
        try
        {
            message = CheckpointHeader.Parser.ParseFrom(headerBytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new BrException(InvalidCode, $"the backup checkpoint {HeaderPath} in {storage.Uri} cannot be decoded; delete the {Folder}/ folder to start the backup over", e);
        }
        if (message.FormatVersion != FormatVersion)
        {
            throw new BrException(InvalidCode, $"the backup checkpoint in {storage.Uri} has format {message.FormatVersion}, this br reads {FormatVersion}; finish it with the br that started it or delete the {Folder}/ folder");
        }
        var header = new BackupCheckpointHeader(message.ClusterId, message.BackupTs, message.LastBackupTs, message.Fingerprint, message.SafePointId);

        var segments = new List<(ulong Sequence, string Path)>();
        await foreach (var item in storage.ListAsync(Folder, cancellationToken).ConfigureAwait(false))
        {
            if (TryParseSequence(item.Path, out var sequence))
            {
                segments.Add((sequence, item.Path));
            }
        }
        segments.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var completed = new List<CompletedRange>();
        var damaged = new List<string>();
        foreach (var (sequence, path) in segments)
        {
            var ranges = await TryReadSegmentAsync(storage, path, sequence, cancellationToken).ConfigureAwait(false);
            if (ranges is null)
            {
                damaged.Add(path);
                continue;
            }
            foreach (var range in ranges.Ranges)
            {
                completed.Add(new CompletedRange(range.StartKey.Memory, range.EndKey.Memory, [.. range.Files]));
            }
        }
        var next = segments.Count == 0 ? 1 : segments[^1].Sequence + 1;
        return new BackupCheckpoint(storage, header, completed, damaged, next);
    }

    /// <summary>Removes every checkpoint object from <paramref name="storage"/> (segments first, the header last).</summary>
    public static async Task DeleteAsync(IExternalStorage storage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var paths = new List<string>();
        await foreach (var item in storage.ListAsync(Folder, cancellationToken).ConfigureAwait(false))
        {
            if (!IsHeader(item.Path))
            {
                paths.Add(item.Path);
            }
        }
        foreach (var path in paths)
        {
            await storage.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
        }
        await storage.DeleteAsync(HeaderPath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that <c>[start, end)</c> is done with these files; kept in memory until <see cref="FlushAsync"/>. Thread-safe.</summary>
    public void RecordRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, IReadOnlyList<Rpc.Backup.File> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var range = new Rpc.Checkpointpb.CompletedRange
        {
            StartKey = ByteString.CopyFrom(start.Span),
            EndKey = ByteString.CopyFrom(end.Span),
        };
        range.Files.AddRange(files);
        lock (_pendingLock)
        {
            _pending.Add(range);
        }
    }

    /// <summary>
    /// Writes the ranges recorded since the last flush as one new segment (nothing when there are none); the cost is
    /// in proportion to those ranges only. If the write fails they stay pending and the next flush writes them.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<Rpc.Checkpointpb.CompletedRange> batch;
            lock (_pendingLock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }
                batch = _pending;
                _pending = [];
            }
            var body = new CheckpointRanges();
            body.Ranges.AddRange(batch);
            var bodyBytes = body.ToByteString();
            var segment = new CheckpointSegment
            {
                Sequence = _nextSequence,
                Body = bodyBytes,
                Sha256 = ByteString.CopyFrom(SHA256.HashData(bodyBytes.Span)),
            };
            try
            {
                await _storage.WriteAllAsync(SegmentPath(_nextSequence), segment.ToByteArray(), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // Keep them for the next flush, ahead of what was recorded meanwhile; the same segment number is reused, so
                // a write that did land after all is simply replaced by a superset.
                lock (_pendingLock)
                {
                    batch.AddRange(_pending);
                    _pending = batch;
                }
                throw;
            }
            _nextSequence++;
        }
        finally
        {
            _flushGate.Release();
        }
    }

    private static string SegmentPath(ulong sequence) =>
        $"{Folder}/{SegmentPrefix}{sequence.ToString("D9", CultureInfo.InvariantCulture)}";

    private static bool IsHeader(string path) => path == HeaderPath;

    private static bool TryParseSequence(string path, out ulong sequence)
    {
        sequence = 0;
        var prefix = Folder + "/" + SegmentPrefix;
        return path.StartsWith(prefix, StringComparison.Ordinal)
            && ulong.TryParse(path.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    private static async Task<CheckpointRanges?> TryReadSegmentAsync(IExternalStorage storage, string path, ulong sequence, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await storage.ReadAllAsync(path, cancellationToken).ConfigureAwait(false);
            var segment = CheckpointSegment.Parser.ParseFrom(bytes);
            if (segment.Sequence != sequence || !SHA256.HashData(segment.Body.Span).AsSpan().SequenceEqual(segment.Sha256.Span))
            {
                return null;
            }
            return CheckpointRanges.Parser.ParseFrom(segment.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
        catch (StorageException e) when (e.Kind == StorageErrorKind.NotFound)
        {
            return null;
        }
    }
}
