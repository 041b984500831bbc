using Cairn.Br.RangeTree;
using Cairn.Common.Keys;
using BackupFile = Cairn.Rpc.Backup.File;

namespace Cairn.Br.Tests.RangeTree;

public sealed class FileRangeTreeTests
{
    private static byte[] K(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    private static BackupFile[] Files(string name) => [new BackupFile { Name = name }];

    [Fact]
    public void An_empty_tree_has_the_whole_range_as_its_one_gap()
    {
        var tree = new FileRangeTree();
        Assert.Equal([new KeyRange(K("a"), K("z"))], tree.GetIncompleteRanges(K("a"), K("z")));
        Assert.Equal([new KeyRange(K("a"), [])], tree.GetIncompleteRanges(K("a"), []));
    }

    [Fact]
    public void Gaps_are_the_parts_no_piece_covers_in_key_order()
    {
        var tree = new FileRangeTree();
        tree.Put(K("c"), K("e"), Files("1"));
        tree.Put(K("g"), K("h"), Files("2"));
        Assert.Equal([new KeyRange(K("a"), K("c")), new KeyRange(K("e"), K("g")), new KeyRange(K("h"), K("z"))], tree.GetIncompleteRanges(K("a"), K("z")));
        tree.Put(K("a"), K("c"), Files("3"));
        tree.Put(K("e"), K("g"), Files("4"));
        tree.Put(K("h"), K("z"), Files("5"));
        Assert.Empty(tree.GetIncompleteRanges(K("a"), K("z")));
    }

    [Fact]
    public void A_piece_reaching_the_unbounded_end_completes_the_range()
    {
        var tree = new FileRangeTree();
        tree.Put(K("m"), [], Files("tail"));
        Assert.Equal([new KeyRange(K("a"), K("m"))], tree.GetIncompleteRanges(K("a"), []));
        tree.Put(K("a"), K("m"), Files("head"));
        Assert.Empty(tree.GetIncompleteRanges(K("a"), []));
    }

    [Fact]
    public void A_re_sent_piece_replaces_what_it_overlaps_so_nothing_is_counted_twice()
    {
        var tree = new FileRangeTree();
        tree.Put(K("a"), K("c"), Files("old-a"));
        tree.Put(K("c"), K("f"), Files("old-c"));
        Assert.Equal(2, tree.Put(K("b"), K("d"), Files("new")));
        var pieces = tree.Pieces();
        Assert.Single(pieces);
        Assert.Equal("new", pieces[0].Value[0].Name);
        // What the replaced pieces covered outside the new one is a gap again, retried by the fine-grained phase.
        Assert.Equal([new KeyRange(K("a"), K("b")), new KeyRange(K("d"), K("f"))], tree.GetIncompleteRanges(K("a"), K("f")));
    }

    [Fact]
    public void Gaps_are_clipped_to_the_asked_range()
    {
        var tree = new FileRangeTree();
        tree.Put(K("a"), K("d"), Files("1"));
        Assert.Empty(tree.GetIncompleteRanges(K("b"), K("c")));
        Assert.Equal([new KeyRange(K("d"), K("e"))], tree.GetIncompleteRanges(K("b"), K("e")));
    }

    [Fact]
    public void Concurrent_puts_of_disjoint_pieces_all_land()
    {
        var tree = new FileRangeTree();
        Parallel.For(0, 200, i => tree.Put([(byte)i, 0], [(byte)i, 1], Files(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(200, tree.Count);
    }
}
