using System.Globalization;
using Cairn.Client.Catalog;
using Cairn.Client.Tables;
using Cairn.Common.Codec;

namespace Cairn.Workloads;

/// <summary>
/// Changes a share of the rows of an existing sysbench data set (<c>cairn workload sysbench --mutate PERCENT</c>):
/// per table, <see cref="Percent"/>% of its rows are touched, a third updated (new <c>k</c>, so the secondary index
/// moves, and a <c>c</c> marked <see cref="MutatedPrefix"/>), a third deleted, and as many new rows inserted as were
/// deleted, so the row count stays what it was. Rows are picked at random and changed in transactions of
/// <see cref="BatchSize"/> rows; the indexes are maintained by the table API.
/// </summary>
public sealed class SysbenchMutation(CatalogClient catalog)
{
    /// <summary>What an updated or inserted row's <c>c</c> starts with.</summary>
    public const string MutatedPrefix = "mutated-";

    /// <summary>Database name.</summary>
    public string Database { get; init; } = "sbtest";

    /// <summary>Number of tables (<c>sbtest1</c> … <c>sbtestN</c>).</summary>
    public int Tables { get; init; } = 4;

    /// <summary>Share of each table's rows changed, in percent (0–100].</summary>
    public double Percent { get; init; } = 1;

    /// <summary>Rows changed per transaction.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Seed of the row choice and the new values (a fixed seed changes the same rows of the same data set).</summary>
    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>Mutates every table; returns what was changed, per table.</summary>
    /// <exception cref="CatalogException">The database or a table does not exist.</exception>
    public async Task<IReadOnlyList<SysbenchMutationResult>> RunAsync(CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Tables, nameof(Tables));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        if (double.IsNaN(Percent) || Percent <= 0 || Percent > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(Percent), Percent, "the share of rows changed is in (0, 100]");
        }

        var random = new Random(Seed);
        var results = new List<SysbenchMutationResult>(Tables);
        for (var t = 1; t <= Tables; t++)
        {
            var table = await Table.OpenAsync(catalog, Database, "sbtest" + t.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            results.Add(await MutateAsync(table, random, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<SysbenchMutationResult> MutateAsync(Table table, Random random, CancellationToken cancellationToken)
    {
        var ids = (await table.ScanAsync(null, cancellationToken).ConfigureAwait(false)).Select(r => r["id"].Int64).ToArray();
        var touched = (int)Math.Min(ids.Length, Math.Ceiling(ids.Length * Percent / 100));
        random.Shuffle(ids);
        var deletes = touched / 3;
        var updates = touched - 2 * deletes;
        var toUpdate = ids[..updates];
        var toDelete = ids[updates..(updates + deletes)];

        // One list of operations, cut into transactions; an insert stands for a deleted row, so counts stay equal.
        var operations = toUpdate.Select(id => (Kind: 'u', Id: id)).Concat(toDelete.Select(id => (Kind: 'd', Id: id))).Concat(toDelete.Select(_ => (Kind: 'i', Id: 0L))).ToArray();
        random.Shuffle(operations);
        long updated = 0, deleted = 0, inserted = 0;
        foreach (var batch in operations.Chunk(BatchSize))
        {
            var values = batch.Select(_ => (K: random.Next(1, 1_000_000), C: MutatedPrefix + random.NextInt64(10_000_000_000L, 99_999_999_999L).ToString(CultureInfo.InvariantCulture))).ToArray();
            var (u, d, i) = await table.WriteAsync(async txn =>
            {
                long u = 0, d = 0, i = 0;
                for (var n = 0; n < batch.Length; n++)
                {
                    var (kind, id) = batch[n];
                    var (k, c) = values[n];
                    switch (kind)
                    {
                        case 'u':
                            u += await table.UpdateAsync(txn, new RowHandle(id, null), new Dictionary<string, Datum> { ["k"] = Datum.FromInt64(k), ["c"] = Datum.FromString(c) }, cancellationToken)
                                .ConfigureAwait(false) ? 1 : 0;
                            break;
                        case 'd':
                            d += await table.DeleteAsync(txn, new RowHandle(id, null), cancellationToken).ConfigureAwait(false) ? 1 : 0;
                            break;
                        default:
                            await table.InsertAsync(txn, new Dictionary<string, Datum>
                            {
                                ["k"] = Datum.FromInt64(k),
                                ["c"] = Datum.FromString(c),
                                ["pad"] = Datum.FromString("inserted"),
                            }, cancellationToken).ConfigureAwait(false);
                            i++;
                            break;
                    }
                }

                return (u, d, i);
            }, cancellationToken).ConfigureAwait(false);
            updated += u;
            deleted += d;
            inserted += i;
        }

        return new SysbenchMutationResult(Database, table.Info.Name.O, ids.Length, updated, deleted, inserted);
    }
}
