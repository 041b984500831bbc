namespace Cairn.Pd.Client;

/// <summary>The answer to a scatter request.</summary>
/// <param name="FinishedPercentage">Share of the regions pd accepted (operator created or nothing to move).</param>
/// <param name="FailedRegionIds">Regions pd could not scatter (unknown region, no target store).</param>
public readonly record struct ScatterResult(ulong FinishedPercentage, IReadOnlyList<ulong> FailedRegionIds);
