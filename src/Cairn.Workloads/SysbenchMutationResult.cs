using System.Globalization;

namespace Cairn.Workloads;

/// <summary>What <see cref="SysbenchMutation"/> changed in one table.</summary>
/// <param name="Database">The database.</param>
/// <param name="Table">The table.</param>
/// <param name="RowsBefore">Rows the table held before.</param>
/// <param name="Updated">Rows updated.</param>
/// <param name="Deleted">Rows deleted.</param>
/// <param name="Inserted">Rows inserted.</param>
public readonly record struct SysbenchMutationResult(string Database, string Table, long RowsBefore, long Updated, long Deleted, long Inserted)
{
    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Database}.{Table}: {Updated} updated, {Deleted} deleted, {Inserted} inserted of {RowsBefore} rows");
}
