using System.Threading.Channels;
using Cairn.Common;
using Cairn.Rpc;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Client;

/// <summary>
/// Batches timestamp requests: one loop drains every waiting caller, asks pd for that many timestamps on a single
/// long-lived Tso stream, and hands them out in arrival order. On a stream failure it reconnects and asks again
/// (timestamps of a lost round trip are simply never used).
/// </summary>
internal sealed class TsoDispatcher : IAsyncDisposable
{
    private readonly PdClient _client;
    private readonly Channel<TaskCompletionSource<ulong>> _waiters =
        Channel.CreateUnbounded<TaskCompletionSource<ulong>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private TsoStream? _stream;
    private Task? _loop;
    private long _roundTrips;

    public TsoDispatcher(PdClient client) => _client = client;

    /// <summary>TSO requests sent to pd so far (each serves a whole batch of callers).</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);

    public async Task<ulong> GetAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiters.Writer.TryWrite(waiter))
        {
            throw new ObjectDisposedException(nameof(PdClient));
        }

        return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _waiters.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        while (_waiters.Reader.TryRead(out var waiter))
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(PdClient)));
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<TaskCompletionSource<ulong>>();
        var options = _client.Options;
        while (await _waiters.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < options.MaxTsoBatchSize && _waiters.Reader.TryRead(out var waiter))
            {
                if (!waiter.Task.IsCompleted)
                {
                    batch.Add(waiter);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            var deadline = DateTime.UtcNow + options.RetryTimeout;
            while (true)
            {
                LeaderConnection? leader = null;
                try
                {
                    leader = await _client.GetLeaderAsync(cancellationToken).ConfigureAwait(false);
                    if (_stream is null || _stream.Leader != leader)
                    {
                        if (_stream is not null)
                        {
                            await _stream.DisposeAsync().ConfigureAwait(false);
                        }

                        _stream = new TsoStream(leader);
                    }

                    Interlocked.Increment(ref _roundTrips);
                    var response = await _stream.RequestAsync((uint)batch.Count, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                    if (response.Header?.Error is { } error && error.Type != ErrorType.Ok)
                    {
                        Fail(batch, new PdException("Tso", leader.Address, error.Type, error.Message, isTransient: false));
                        break;
                    }

                    if (response.Count != batch.Count || response.Timestamp is null)
                    {
                        throw new InvalidDataException($"pd answered {response.Count} timestamps for a request of {batch.Count}");
                    }

                    var last = Tso.Compose(response.Timestamp.Physical, response.Timestamp.Logical);
                    var first = last - (ulong)(batch.Count - 1);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].TrySetResult(first + (ulong)i);
                    }

                    break;
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not PdException { IsTransient: false })
                {
                    if (_stream is not null)
                    {
                        await _stream.DisposeAsync().ConfigureAwait(false);
                        _stream = null;
                    }

                    if (leader is not null)
                    {
                        _client.Invalidate(leader);
                    }

                    if (DateTime.UtcNow >= deadline)
                    {
                        Fail(batch, e as PdException ?? new PdException("Tso", leader?.Address, null, e.Message, isTransient: true, e));
                        break;
                    }

                    await Task.Delay(options.RetryInterval, cancellationToken).ConfigureAwait(false);
                }
                catch (PdException e)
                {
                    Fail(batch, e);
                    break;
                }
            }
        }
    }

    private static void Fail(List<TaskCompletionSource<ulong>> batch, Exception error)
    {
        foreach (var waiter in batch)
        {
            waiter.TrySetException(error);
        }
    }

    /// <summary>One open Tso stream to a leader; one request in flight at a time.</summary>
    private sealed class TsoStream : IAsyncDisposable
    {
        // How long a closing stream waits for pd to end the call before resetting it.
        private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(1);
        private readonly Channel<TsoRequest> _requests = Channel.CreateUnbounded<TsoRequest>();
        private readonly CancellationTokenSource _cancel = new();
        private readonly IAsyncEnumerator<TsoResponse> _responses;
        private Task<bool>? _lastMove;

        public TsoStream(LeaderConnection leader)
        {
            Leader = leader;
            _responses = leader.Channel.Pd.Tso(cancellationToken: _cancel.Token).DuplexAsync(_requests.Reader.ReadAllAsync(_cancel.Token), _cancel.Token)
                .GetAsyncEnumerator(_cancel.Token);
        }

        public LeaderConnection Leader { get; }

        public async Task<TsoResponse> RequestAsync(uint count, TimeSpan timeout, CancellationToken cancellationToken)
        {
            await _requests.Writer.WriteAsync(new TsoRequest { Header = new RequestHeader { ClusterId = Leader.ClusterId }, Count = count }, cancellationToken)
                .ConfigureAwait(false);
            var move = _responses.MoveNextAsync().AsTask();
            _lastMove = move;
            var more = await move.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return more ? _responses.Current : throw new RpcException(StatusCode.Unavailable, "pd closed the Tso stream");
        }

        public async ValueTask DisposeAsync()
        {
            // A normal close: half-close our side and let pd end the call with OK, so neither side sees a reset. Only
            // when an answer is still outstanding (a request timed out) or pd does not finish promptly is the call reset.
            _requests.Writer.TryComplete();
            if (_lastMove is null || _lastMove.IsCompleted)
            {
                try
                {
                    while (await _responses.MoveNextAsync().AsTask().WaitAsync(CloseTimeout).ConfigureAwait(false))
                    {
                    }
                }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException or RpcException or IOException or HttpRequestException
                    or ObjectDisposedException or InvalidOperationException)
                {
                    // pd went away or is slow to finish: the reset below ends the call either way.
                }
            }

            await _cancel.CancelAsync().ConfigureAwait(false);
            try
            {
                await _responses.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or HttpRequestException or ObjectDisposedException
                or NotSupportedException or InvalidOperationException)
            {
                // The stream is being abandoned; how it ends does not matter.
            }

            _cancel.Dispose();
        }
    }
}
