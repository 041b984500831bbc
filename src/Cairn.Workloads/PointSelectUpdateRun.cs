using System.Diagnostics;
using System.Globalization;
using Cairn.Client;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;

namespace Cairn.Workloads;

/// <summary>
/// A foreground workload on an existing sysbench data set (<see cref="SysbenchWorkload"/>'s tables and rows):
/// <see cref="Threads"/> loops that each alternate a point select (one row by primary key, at the latest snapshot)
/// and a point update (one transaction rewriting a row's <c>pad</c>, which no index covers), on a random table and
/// row, for <see cref="Duration"/>. Every operation's latency is recorded; failed operations are counted as errors
/// and the loop goes on.
/// </summary>
public sealed class PointSelectUpdateRun(CatalogClient catalog)
{
    /// <summary>Database name.</summary>
    public string Database { get; init; } = "sbtest";

    /// <summary>Number of tables (<c>sbtest1</c>…).</summary>
    public int Tables { get; init; } = 4;

    /// <summary>Rows per table: row ids 1..Rows are chosen from.</summary>
    public int Rows { get; init; } = 10_000;

    /// <summary>Concurrent loops.</summary>
    public int Threads { get; init; } = 4;

    /// <summary>How long to run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Runs until <see cref="Duration"/> has passed or the token is cancelled.</summary>
    public async Task<LatencyReport> RunAsync(CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Tables, nameof(Tables));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Rows, nameof(Rows));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Threads, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Duration, TimeSpan.Zero, nameof(Duration));
        var tables = new Table[Tables];
        for (var t = 0; t < Tables; t++)
        {
            tables[t] = await Table.OpenAsync(catalog, Database, "sbtest" + (t + 1).ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }

        var watch = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, Threads).Select(w => Task.Run(() => LoopAsync(tables, w, watch, cancellationToken), CancellationToken.None)).ToArray();
        var results = await Task.WhenAll(loops).ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        return LatencyReport.From(results.SelectMany(r => r.Selects).ToList(), results.SelectMany(r => r.Updates).ToList(), results.Sum(r => r.Errors), elapsed);
    }

    private async Task<(List<double> Selects, List<double> Updates, long Errors)> LoopAsync(Table[] tables, int worker, Stopwatch clock, CancellationToken cancellationToken)
    {
        var random = new Random(worker * 104_729 + 17);
        var selects = new List<double>();
        var updates = new List<double>();
        long errors = 0;
        for (var i = 0L; clock.Elapsed < Duration && !cancellationToken.IsCancellationRequested; i++)
        {
            var table = tables[random.Next(tables.Length)];
            var handle = new RowHandle(random.Next(1, Rows + 1), null);
            var update = i % 2 == 1;
            var pad = update ? Pad(random) : null;
            var start = Stopwatch.GetTimestamp();
            try
            {
                if (update)
                {
                    await table.UpdateAsync(handle, new Dictionary<string, Datum> { ["pad"] = Datum.FromString(pad!) }, cancellationToken).ConfigureAwait(false);
                    updates.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                else
                {
                    await table.GetAsync(handle, null, cancellationToken).ConfigureAwait(false);
                    selects.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ClientException)
            {
                // A failed operation (out of retries, a store unreachable for the whole budget) is an error, not a latency.
                errors++;
            }
        }

        return (selects, updates, errors);
    }

    private static string Pad(Random random) =>
        string.Join('-', Enumerable.Range(0, 5).Select(_ => random.NextInt64(10_000_000_000L, 99_999_999_999L).ToString(CultureInfo.InvariantCulture)));
}
