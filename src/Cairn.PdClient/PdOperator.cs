using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Client;

/// <summary>A region's current or last operator, as GetOperator reports it.</summary>
/// <param name="RegionId">The region.</param>
/// <param name="Desc">What it does, e.g. <c>scatter-region</c>.</param>
/// <param name="Status">RUNNING, SUCCESS, TIMEOUT, CANCEL or REPLACE.</param>
/// <param name="Kind">pd's operator kind, e.g. <c>admin,region</c>.</param>
public readonly record struct PdOperator(ulong RegionId, string Desc, OperatorStatus Status, string Kind);
