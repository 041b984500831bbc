using Cairn.RocksDb;
using Cairn.Rpc.Metapb;
using Cairn.Storage;
using Cairn.Storage.Local;
using Cairn.Store.Crypto;

namespace Cairn.Store.Backup;

/// <summary>What every file of one region piece shares: where it goes, how it is named, written and limited.</summary>
internal sealed record BackupFileContext
{
    public required ulong StoreId { get; init; }

    public required Region Region { get; init; }

    public required IExternalStorage Storage { get; init; }

    /// <summary>The store's shared upload limiter, or null when the request is not limited.</summary>
    public TokenBucket? Limiter { get; init; }

    public required string TempDir { get; init; }

    /// <summary>The destination folder itself when the request names local storage: SSTs are written in it and renamed into place.</summary>
    public LocalStorage? LocalTarget { get; init; }

    public required SstFileWriterOptions SstOptions { get; init; }

    /// <summary>The key every uploaded SST is encrypted with (each with its own IV); null for a plaintext backup.</summary>
    public SstCipher? Cipher { get; init; }

    public required ulong StartVersion { get; init; }

    public required ulong EndVersion { get; init; }

    /// <summary>The <c>unix_ms</c> part of the names, one per request so that a re-sent request gets new names.</summary>
    public required long UnixMs { get; init; }

    /// <summary>The CF of a raw backup; null for a transactional one.</summary>
    public string? RawCf { get; init; }

    /// <summary>Files cut at this many bytes of keys and values.</summary>
    public required long SstMaxSize { get; init; }

    /// <summary>Where an incremental request's delta scans add what they read and skipped; null for other requests.</summary>
    public DeltaScanStats? ScanStats { get; init; }
}
