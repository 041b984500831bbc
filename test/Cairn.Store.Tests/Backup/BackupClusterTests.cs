using Cairn.Client;
using Cairn.Client.Txn;
using Cairn.Rpc;
using static Cairn.Store.Tests.Backup.BackupFixture;

namespace Cairn.Store.Tests.Backup;

/// <summary>Backup on a three-store cluster whose regions are spread over the stores.</summary>
public sealed class BackupClusterTests
{
    [Fact]
    public async Task Each_store_answers_only_the_regions_it_leads_and_the_answers_cover_the_range_once()
    {
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions { Stores = 3 });
        await using var pd = await cluster.ConnectPdAsync();
        await using var client = new TxnClient(pd, new ClientOptions());
        var keys = Enumerable.Range(0, 60).Select(i => TestStore.Bytes($"cl/{i:D3}")).ToList();
        await ClusterSetup.SplitAsync(cluster, pd, [.. Enumerable.Range(1, 5).Select(i => TestStore.Bytes($"cl/{i * 10:D3}"))], KeyMode.Txn);
        await ClusterSetup.ScatterAsync(cluster, pd, 2);
        await client.RunInTransactionAsync(t =>
        {
            foreach (var key in keys)
            {
                t.Set(key, TestStore.Bytes("v"));
            }

            return Task.CompletedTask;
        });
        var backupTs = await pd.GetTimestampAsync();

        using var target = new TempDirectory("backup-cluster");
        var pieces = new List<(ulong Store, string Start, string End, ulong Kvs)>();
        for (var i = 0; i < cluster.StoreCount; i++)
        {
            using var channel = new RpcChannel(cluster.StoreAddress(i));
            var responses = await BackupAsync(channel, Request(target.Path, backupTs, "cl/", "cl0"));
            Assert.All(responses, r => Assert.Null(r.Error));
            var led = cluster.Store(i).Regions.GetRegions().Select(r => r.Id).ToHashSet();
            foreach (var response in responses)
            {
                foreach (var file in response.Files)
                {
                    // {store}_{region}_…: the store that wrote it leads the region.
                    var parts = file.Name.Split('_');
                    Assert.Equal(cluster.StoreId(i).ToString(System.Globalization.CultureInfo.InvariantCulture), parts[0]);
                    Assert.Contains(ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), led);
                }

                pieces.Add((cluster.StoreId(i), response.StartKey.ToStringUtf8(), response.EndKey.ToStringUtf8(), (ulong)response.Files.Sum(f => (long)f.TotalKvs)));
            }
        }

        Assert.True(pieces.Select(p => p.Store).Distinct().Count() >= 2, "the regions should be led by several stores");
        var ordered = pieces.OrderBy(p => p.Start, StringComparer.Ordinal).ToList();
        Assert.Equal("cl/", ordered[0].Start);
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.Equal(ordered[i - 1].End, ordered[i].Start);
        }

        Assert.Equal("cl0", ordered[^1].End);
        Assert.Equal(60UL, (ulong)ordered.Sum(p => (long)p.Kvs));
    }
}
