using Cairn.Br.Cluster;
using Cairn.Rpc.Metapb;
using MetaStore = Cairn.Rpc.Metapb.Store;

namespace Cairn.Br.Tests.Cluster;

public sealed class StoreVersionCheckTests
{
    private static MetaStore MakeStore(ulong id, string version, StoreState state = StoreState.Up, bool tiflash = false)
    {
        var store = new MetaStore { Id = id, Address = $"127.0.0.1:{id}", Version = version, State = state };
        if (tiflash)
        {
            store.Labels.Add(new StoreLabel { Key = "engine", Value = "tiflash" });
        }

        return store;
    }

    [Fact]
    public void Stores_of_brs_major_version_from_5_0_0_pass()
    {
        StoreVersionCheck.Check([MakeStore(1, "5.1.0"), MakeStore(2, "v5.0.0"), MakeStore(3, "5.9.3-beta.1")]);
    }

    [Theory]
    [InlineData("4.0.9")]
    [InlineData("6.1.0")]
    [InlineData("")]
    [InlineData("five")]
    [InlineData("5.1")]
    public void A_store_of_another_major_or_without_a_version_is_refused_by_id(string version)
    {
        var error = Assert.Throws<BrException>(() => StoreVersionCheck.Check([MakeStore(1, "5.1.0"), MakeStore(7, version)]));
        Assert.Equal("ErrVersionMismatch", error.Code);
        Assert.Contains("store 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tombstones_and_tiflash_stores_are_not_checked()
    {
        StoreVersionCheck.Check([MakeStore(1, "5.1.0"), MakeStore(2, "3.0.0", StoreState.Tombstone), MakeStore(3, "", tiflash: true)]);
    }

    [Fact]
    public void Push_down_targets_are_up_stores_without_the_tiflash_label()
    {
        var targets = StoreSelection.BackupTargets([MakeStore(1, "5.1.0"), MakeStore(2, "5.1.0", StoreState.Offline), MakeStore(3, "5.1.0", tiflash: true), MakeStore(4, "5.1.0")]);
        Assert.Equal([1UL, 4UL], targets.Select(s => s.Id));
    }
}
