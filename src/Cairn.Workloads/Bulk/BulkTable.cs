using Cairn.Common.Codec;

namespace Cairn.Workloads.Bulk;

/// <summary>One existing, empty table to bulk load, and its rows.</summary>
/// <param name="Database">Database name.</param>
/// <param name="Table">Table name.</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="Row">Row <c>n</c> (0 ≤ n &lt; <paramref name="Rows"/>) by column name, with its handle column; handles must ascend with n.</param>
public sealed record BulkTable(string Database, string Table, long Rows, Func<long, IReadOnlyDictionary<string, Datum>> Row);
