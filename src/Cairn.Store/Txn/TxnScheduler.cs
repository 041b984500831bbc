using Cairn.Store.Engine;

namespace Cairn.Store.Txn;

/// <summary>
/// Runs write commands in the one shape Percolator needs, as TiKV's scheduler does: take the latches of the
/// command's keys, read their latest state, decide, and apply what was decided as one atomic batch. Two commands on
/// a key never interleave, and a command that fails (<see cref="MvccTxn.Discard"/>) writes nothing.
/// </summary>
internal sealed class TxnScheduler
{
    private readonly StoreEngine _engine;
    private readonly Latches _latches;

    public TxnScheduler(StoreEngine engine, Latches latches)
    {
        _engine = engine;
        _latches = latches;
    }

    /// <summary>The engine the commands write to.</summary>
    public StoreEngine Engine => _engine;

    /// <summary>
    /// Latches <paramref name="keys"/> (raw user keys), then runs <paramref name="decide"/> against a fresh
    /// <see cref="MvccTxn"/> and applies it. <paramref name="state"/> is passed through so callers need no closure.
    /// </summary>
    public async Task<TResult> ExecuteAsync<TState, TResult>(IEnumerable<ReadOnlyMemory<byte>> keys, TState state,
        Func<TState, MvccTxn, TResult> decide, CancellationToken cancellationToken)
    {
        using var guard = await _latches.AcquireAsync(keys, cancellationToken).ConfigureAwait(false);
        using var txn = new MvccTxn(_engine);
        var result = decide(state, txn);
        txn.Apply();
        return result;
    }
}
