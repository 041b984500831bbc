using System.Threading.Channels;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Tests;

/// <summary>A store's side of the RegionHeartbeat stream, driven by a test.</summary>
internal sealed class HeartbeatClient : IAsyncDisposable
{
    private readonly Channel<RegionHeartbeatRequest> _requests = Channel.CreateUnbounded<RegionHeartbeatRequest>();
    private readonly CancellationTokenSource _cancel = new();
    private readonly IAsyncEnumerator<RegionHeartbeatResponse> _responses;

    public HeartbeatClient(RpcChannel channel)
    {
        _responses = channel.Pd.RegionHeartbeat(cancellationToken: _cancel.Token).DuplexAsync(_requests.Reader.ReadAllAsync(_cancel.Token), _cancel.Token)
            .GetAsyncEnumerator(_cancel.Token);
        // The call starts at the first MoveNextAsync; start it now so heartbeats flow before a response is awaited.
        Pending = _responses.MoveNextAsync().AsTask();
    }

    private Task<bool> Pending { get; set; }

    public ValueTask SendAsync(RegionHeartbeatRequest request) => _requests.Writer.WriteAsync(request);

    /// <summary>The next message pd sends on the stream.</summary>
    public async Task<RegionHeartbeatResponse> ReadAsync()
    {
        var more = await Pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(more, "the heartbeat stream ended");
        var current = _responses.Current;
        Pending = _responses.MoveNextAsync().AsTask();
        return current;
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _cancel.CancelAsync();
        try
        {
            await Pending;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException)
        {
        }

        try
        {
            await _responses.DisposeAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException)
        {
        }

        _cancel.Dispose();
    }
}
