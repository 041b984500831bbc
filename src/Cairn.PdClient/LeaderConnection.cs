using Cairn.Rpc;

namespace Cairn.Pd.Client;

/// <summary>The pd leader a client talks to: its address, a channel to it and the cluster id.</summary>
internal sealed record LeaderConnection(string Address, RpcChannel Channel, ulong ClusterId);
