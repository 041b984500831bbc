using Cairn.Client;
using Cairn.Client.Regions;
using Cairn.Common.Keys;
using Cairn.Pd.Client;

namespace Cairn.Testing.Faults;

/// <summary>
/// Splits and scatters continuously while a job runs: every round splits each table's record range at a few random
/// handles (kvproto <c>SplitRegion</c> through the region leaders) and asks pd to scatter the regions the splits
/// produced (without tables: just past the start of random regions), so regions keep changing their boundaries,
/// epochs and stores under the job. Seeded, so a round's keys can
/// be replayed. A split or scatter that fails (the cluster is busy, a region moved) is counted and the storm goes on.
/// </summary>
public sealed class SplitStorm : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _splits;
    private int _scattered;
    private int _failures;
    private string? _lastFailure;

    private SplitStorm(string pd, IReadOnlyList<(long TableId, long MaxHandle)> tables, int seed, TimeSpan pause) =>
        _loop = Task.Run(() => RunAsync(pd, tables, new Random(seed), pause, _stop.Token));

    /// <summary>Regions produced by splits so far.</summary>
    public int Splits => Volatile.Read(ref _splits);

    /// <summary>Regions pd was asked to scatter so far.</summary>
    public int Scattered => Volatile.Read(ref _scattered);

    /// <summary>Split or scatter calls that failed.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>
    /// Starts a storm against the cluster of <paramref name="pd"/> over the record ranges of <paramref name="tables"/>
    /// (handles 1..MaxHandle), pausing <paramref name="pause"/> between rounds.
    /// </summary>
    public static SplitStorm Start(string pd, IReadOnlyList<(long TableId, long MaxHandle)> tables, int seed, TimeSpan pause) =>
        new(pd, tables, seed, pause);

    /// <summary>Splits each table's record range into <paramref name="pieces"/> regions of equal handle spans, once.</summary>
    public static async Task SplitEvenlyAsync(string pd, IReadOnlyList<(long TableId, long MaxHandle)> tables, int pieces, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        await using var client = await PdClient.ConnectAsync([pd], cancellationToken: cancellationToken).ConfigureAwait(false);
        using var cache = new RegionCache(client);
        var keys = tables.SelectMany(t => Enumerable.Range(1, pieces - 1).Select(i => TableCodec.EncodeRecordKey(t.TableId, 1 + (t.MaxHandle * i / pieces)))).ToList();
        await new RegionSplitter(cache).SplitAsync(keys, KeyMode.Txn, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One line for a report: what the storm did.</summary>
    public string Describe() =>
        $"{Splits} regions split off, {Scattered} scattered, {Failures} failed calls{(_lastFailure is null ? "" : $" (last: {_lastFailure})")}";

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(string pd, IReadOnlyList<(long TableId, long MaxHandle)> tables, Random random, TimeSpan pause, CancellationToken stop)
    {
        await using var client = await PdClient.ConnectAsync([pd], cancellationToken: stop).ConfigureAwait(false);
        using var cache = new RegionCache(client);
        var splitter = new RegionSplitter(cache);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var keys = tables.Count > 0
                    ? [.. tables.SelectMany(t => Enumerable.Range(0, 2).Select(_ => TableCodec.EncodeRecordKey(t.TableId, random.NextInt64(1, t.MaxHandle + 1))))]
                    : await KeysInsideRegionsAsync(client, random, stop).ConfigureAwait(false);
                var produced = await splitter.SplitAsync(keys, KeyMode.Txn, stop).ConfigureAwait(false);
                Interlocked.Add(ref _splits, produced.Count);
                if (produced.Count > 0)
                {
                    var ids = produced.Select(r => r.Id).Distinct().ToList();
                    await client.ScatterRegionsAsync(ids, cancellationToken: stop).ConfigureAwait(false);
                    Interlocked.Add(ref _scattered, ids.Count);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Expected while other faults run (a store or pd restarting); the storm's job is to keep trying.
                Interlocked.Increment(ref _failures);
                _lastFailure = e.Message.Split('\n')[0];
            }

            await Task.Delay(pause, stop).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Without known tables (a restore creates its own): a key just past the start of a few random regions of the
    /// table key space, so each split changes the epoch of a region that holds data, wherever the job writes.
    /// </summary>
    private static async Task<List<byte[]>> KeysInsideRegionsAsync(PdClient client, Random random, CancellationToken stop)
    {
        var regions = await client.ScanRegionsAsync(RegionCache.ToRegionKey("t"u8, KeyMode.Txn), RegionCache.ToRegionKey("u"u8, KeyMode.Txn), 0, stop).ConfigureAwait(false);
        var keys = new List<byte[]>();
        foreach (var region in regions.OrderBy(_ => random.Next()).Take(3))
        {
            if (region.Region.StartKey.IsEmpty)
            {
                continue;
            }

            var start = RegionCache.ToUserKey(region.Region.StartKey.Span, KeyMode.Txn);
            byte[] key = [.. start, (byte)random.Next(256)];
            var end = region.Region.EndKey.IsEmpty ? null : RegionCache.ToUserKey(region.Region.EndKey.Span, KeyMode.Txn);
            if (end is null || key.AsSpan().SequenceCompareTo(end) < 0)
            {
                keys.Add(key);
            }
        }

        return keys;
    }
}
