using System.Collections.Concurrent;

namespace Cairn.Rpc;

/// <summary>
/// One shared <see cref="RpcChannel"/> per server address, created on first use. A channel owns connections and a
/// keepalive timer, so opening one per call would cost a TCP and HTTP/2 handshake each time; components that talk to
/// many peers (pd client, region cache, region mover) keep a pool instead. Disposing the pool closes every channel.
/// </summary>
public sealed class RpcChannelPool : IDisposable
{
    private readonly ConcurrentDictionary<Uri, Lazy<RpcChannel>> _channels = new();
    private int _disposed;

    /// <summary>Creates an empty pool whose channels use <paramref name="options"/>.</summary>
    public RpcChannelPool(RpcChannelOptions? options = null)
    {
        Options = options ?? new RpcChannelOptions();
        Options.Validate();
    }

    /// <summary>Settings of every channel in the pool.</summary>
    public RpcChannelOptions Options { get; }

    /// <summary>The channel to <paramref name="address"/> (<c>host:port</c> or <c>http://host:port</c>); callers must not dispose it.</summary>
    public RpcChannel Get(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var key = RpcChannel.ParseAddress(address, Options.Tls is not null);
        // Lazy: two racing callers must not both build a channel (the loser's connections would leak).
        return _channels.GetOrAdd(key, static (k, options) => new Lazy<RpcChannel>(() => new RpcChannel(k.ToString(), options)), Options).Value;
    }

    /// <summary>Closes the channel to <paramref name="address"/>, if any, e.g. after the peer left the cluster.</summary>
    public void Remove(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (_channels.TryRemove(RpcChannel.ParseAddress(address, Options.Tls is not null), out var channel) && channel.IsValueCreated)
        {
            channel.Value.Dispose();
        }
    }

    /// <summary>Closes every channel.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var channel in _channels.Values)
        {
            if (channel.IsValueCreated)
            {
                channel.Value.Dispose();
            }
        }

        _channels.Clear();
    }
}
