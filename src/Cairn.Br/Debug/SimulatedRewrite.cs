namespace Cairn.Br.Debug;

/// <summary>One rewrite rule a restore would make: the prefix <c>t{OldId}_</c> becomes <c>t{NewId}_</c>.</summary>
/// <param name="Table">The table, <c>`db`.`t`</c>.</param>
/// <param name="OldId">The physical ID in the backup (table or partition).</param>
/// <param name="NewId">The ID the simulation gave it.</param>
public sealed record SimulatedRewrite(string Table, long OldId, long NewId);
