using System.Net;

namespace Cairn.Store;

/// <summary>How to run a store node. Immutable; checked by <see cref="Validate"/> at start.</summary>
public sealed record StoreNodeOptions
{
    /// <summary>Address to listen on, <c>host:port</c> with an IP host; port 0 picks a free port.</summary>
    public string Address { get; init; } = "127.0.0.1:20160";

    /// <summary>Directory of the store's RocksDB.</summary>
    public required string DataDir { get; init; }

    /// <summary>Store labels (e.g. <c>zone=z1</c>, <c>engine=tiflash</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Requests served at once before the store answers ServerIsBusy; null = unlimited, 0 = reject all.</summary>
    public int? MaxInFlightRequests { get; init; }

    /// <summary>Capacity of the block cache shared by all column families, in bytes.</summary>
    public long BlockCacheSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Whether data writes are fsynced before they are acknowledged (see <see cref="Engine.StoreEngine"/>).</summary>
    public bool SyncWrites { get; init; }

    /// <summary>Number of key latch slots.</summary>
    public int LatchSlots { get; init; } = 2048;

    /// <summary>pd's address; null runs standalone. Not supported yet.</summary>
    public string? PdAddress { get; init; }

    /// <summary>The listen address parsed.</summary>
    public IPEndPoint EndPoint => IPEndPoint.Parse(Address);

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            throw new ArgumentException("The data directory is required.", nameof(DataDir));
        }

        if (!IPEndPoint.TryParse(Address, out var endPoint) || !Address.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The address '{Address}' is not host:port with an IP host.", nameof(Address));
        }

        if (endPoint.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"The port of '{Address}' is out of range.", nameof(Address));
        }

        if (MaxInFlightRequests is < 0)
        {
            throw new ArgumentException("The in-flight request limit cannot be negative.", nameof(MaxInFlightRequests));
        }

        if (BlockCacheSize < 1024 * 1024)
        {
            throw new ArgumentException("The block cache must be at least 1 MiB.", nameof(BlockCacheSize));
        }

        if (LatchSlots < 1)
        {
            throw new ArgumentException("There must be at least one latch slot.", nameof(LatchSlots));
        }

        foreach (var (key, _) in Labels)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ArgumentException("Label keys cannot be empty.", nameof(Labels));
            }
        }

        if (PdAddress is not null)
        {
            throw new NotSupportedException("Joining a cluster through pd is not supported yet; run without --pd for a standalone store.");
        }
    }
}
