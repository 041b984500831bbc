using System.Globalization;
using System.Text.Json;
using Cairn.Pd.Cluster;
using Cairn.Rpc.Metapb;

namespace Cairn.Pd.Api;

/// <summary>
/// The JSON shapes of PD's HTTP API: stores as <c>{"store": {..., "state_name"}, "status": {...}}</c>, regions with hex
/// keys, sizes in MiB, byte counts as PD prints them.
/// </summary>
internal static class PdHttpJson
{
    public static void WriteCounts(Utf8JsonWriter w, string name, SortedDictionary<ulong, int> counts)
    {
        w.WriteStartObject(name);
        foreach (var (store, count) in counts)
        {
            w.WriteNumber(store.ToString(CultureInfo.InvariantCulture), count);
        }

        w.WriteEndObject();
    }

    public static void WriteStores(Utf8JsonWriter w, List<StoreView> stores)
    {
        w.WriteStartObject();
        w.WriteNumber("count", stores.Count);
        w.WriteStartArray("stores");
        foreach (var store in stores)
        {
            WriteStore(w, store);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteStore(Utf8JsonWriter w, StoreView view)
    {
        var s = view.Store;
        w.WriteStartObject();
        w.WriteStartObject("store");
        w.WriteNumber("id", s.Id);
        w.WriteString("address", s.Address);
        if (s.State != StoreState.Up)
        {
            w.WriteNumber("state", (int)s.State);
        }

        w.WriteStartArray("labels");
        foreach (var label in s.Labels)
        {
            w.WriteStartObject();
            w.WriteString("key", label.Key);
            w.WriteString("value", label.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("version", s.Version);
        w.WriteString("peer_address", s.PeerAddress);
        w.WriteString("status_address", s.StatusAddress);
        w.WriteString("git_hash", s.GitHash);
        w.WriteNumber("start_timestamp", s.StartTimestamp);
        w.WriteString("deploy_path", s.DeployPath);
        w.WriteNumber("last_heartbeat", s.LastHeartbeat);
        w.WriteString("state_name", view.StateName.ToString());
        w.WriteEndObject();

        var stats = view.Stats;
        w.WriteStartObject("status");
        w.WriteString("capacity", ByteSize(stats?.Capacity ?? 0));
        w.WriteString("available", ByteSize(stats?.Available ?? 0));
        w.WriteString("used_size", ByteSize(stats?.UsedSize ?? 0));
        w.WriteNumber("leader_count", view.LeaderCount);
        w.WriteNumber("leader_weight", 1);
        w.WriteNumber("leader_score", view.LeaderCount);
        w.WriteNumber("region_count", view.RegionCount);
        w.WriteNumber("region_weight", 1);
        w.WriteNumber("region_score", view.RegionCount);
        w.WriteNumber("region_size", view.RegionSize / (1024 * 1024));
        if (stats is { StartTime: > 0 })
        {
            w.WriteString("start_ts", DateTimeOffset.FromUnixTimeSeconds(stats.StartTime).ToString("O", CultureInfo.InvariantCulture));
        }

        if (view.LastHeartbeat is { } last)
        {
            w.WriteString("last_heartbeat_ts", last.ToString("O", CultureInfo.InvariantCulture));
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteRegion(Utf8JsonWriter w, RegionView r)
    {
        w.WriteStartObject();
        w.WriteNumber("id", r.Meta.Id);
        w.WriteString("start_key", Convert.ToHexString(r.Meta.StartKey.Span));
        w.WriteString("end_key", Convert.ToHexString(r.Meta.EndKey.Span));
        w.WriteStartObject("epoch");
        w.WriteNumber("conf_ver", r.Meta.RegionEpoch?.ConfVer ?? 0);
        w.WriteNumber("version", r.Meta.RegionEpoch?.Version ?? 0);
        w.WriteEndObject();
        w.WriteStartArray("peers");
        foreach (var peer in r.Meta.Peers)
        {
            WritePeer(w, peer);
        }

        w.WriteEndArray();
        if (r.Leader is { } leader)
        {
            w.WritePropertyName("leader");
            WritePeer(w, leader);
        }

        w.WriteStartArray("down_peers");
        foreach (var down in r.DownPeers)
        {
            w.WriteStartObject();
            w.WritePropertyName("peer");
            WritePeer(w, down.Peer ?? new Peer());
            w.WriteNumber("down_seconds", down.DownSeconds);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("pending_peers");
        foreach (var pending in r.PendingPeers)
        {
            WritePeer(w, pending);
        }

        w.WriteEndArray();
        w.WriteNumber("written_bytes", r.BytesWritten);
        w.WriteNumber("read_bytes", r.BytesRead);
        w.WriteNumber("written_keys", r.KeysWritten);
        w.WriteNumber("read_keys", r.KeysRead);
        w.WriteNumber("approximate_size", r.ApproximateSize / (1024 * 1024));
        w.WriteNumber("approximate_keys", r.ApproximateKeys);
        w.WriteEndObject();
    }

    public static void WritePeer(Utf8JsonWriter w, Peer peer)
    {
        w.WriteStartObject();
        w.WriteNumber("id", peer.Id);
        w.WriteNumber("store_id", peer.StoreId);
        w.WriteString("role_name", peer.Role.ToString());
        w.WriteEndObject();
    }

    /// <summary>A byte count the way PD prints one (binary units, up to 4 significant digits): <c>1.5GiB</c>.</summary>
    public static string ByteSize(ulong bytes) => Cairn.Common.ByteSize.Format(bytes);
}
