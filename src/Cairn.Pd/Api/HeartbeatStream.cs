using Cairn.Rpc.Pdpb;
using Grpc.Core;

namespace Cairn.Pd.Api;

/// <summary>
/// One store's open region-heartbeat stream. Replies to heartbeats and instructions pushed by pd's background work
/// share it, so writes are serialized.
/// </summary>
internal sealed class HeartbeatStream(IServerStreamWriter<RegionHeartbeatResponse> writer, CancellationToken cancellationToken) : IDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public async Task SendAsync(RegionHeartbeatResponse response)
    {
        await _writeLock.WaitAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            await writer.WriteAsync(response, CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose() => _writeLock.Dispose();
}
