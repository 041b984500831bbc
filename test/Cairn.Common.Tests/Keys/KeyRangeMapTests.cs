using Cairn.Common.Keys;

namespace Cairn.Common.Tests.Keys;

public sealed class KeyRangeMapTests
{
    private static byte[] K(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    private static string Dump(KeyRangeMap<int> map) =>
        string.Join(" ", map.Select(e => $"[{System.Text.Encoding.ASCII.GetString(e.Start)},{System.Text.Encoding.ASCII.GetString(e.End)})={e.Value}"));

    [Fact]
    public void Finds_the_range_holding_a_key_and_none_in_gaps()
    {
        var map = new KeyRangeMap<int>();
        map.Add(K("b"), K("d"), 1);
        map.Add(K("f"), [], 2);
        Assert.True(map.TryFind(K("b"), out var e) && e.Value == 1);
        Assert.True(map.TryFind(K("c\xff"), out e) && e.Value == 1);
        Assert.False(map.TryFind(K("d"), out _));
        Assert.False(map.TryFind(K("a"), out _));
        Assert.False(map.TryFind([], out _));
        Assert.True(map.TryFind(K("zzzz"), out e) && e.Value == 2);
        Assert.True(e.Contains(K("f")));
        Assert.False(e.Contains(K("e")));
    }

    [Fact]
    public void Adding_a_range_evicts_every_range_it_overlaps()
    {
        var map = new KeyRangeMap<int>();
        map.Add([], K("c"), 1);
        map.Add(K("c"), K("f"), 2);
        map.Add(K("f"), K("k"), 3);
        map.Add(K("k"), [], 4);
        Assert.Equal("[,c)=1 [c,f)=2 [f,k)=3 [k,)=4", Dump(map));

        // A merged region covering two neighbours and touching (not overlapping) the others.
        var removed = map.Add(K("c"), K("k"), 5);
        Assert.Equal([2, 3], removed.Select(r => r.Value));
        Assert.Equal("[,c)=1 [c,k)=5 [k,)=4", Dump(map));

        // Starting inside one range and ending inside another evicts both.
        removed = map.Add(K("b"), K("l"), 6);
        Assert.Equal([1, 5, 4], removed.Select(r => r.Value));
        Assert.Equal("[b,l)=6", Dump(map));

        // An unbounded range evicts everything after its start.
        map.Add(K("a"), K("b"), 7);
        removed = map.Add(K("a"), [], 8);
        Assert.Equal([7, 6], removed.Select(r => r.Value));
        Assert.Equal("[a,)=8", Dump(map));
    }

    [Fact]
    public void Overlapping_lists_the_ranges_a_span_touches_in_order()
    {
        var map = new KeyRangeMap<int>();
        map.Add(K("a"), K("c"), 1);
        map.Add(K("e"), K("g"), 2);
        map.Add(K("g"), [], 3);
        Assert.Equal([1, 2], map.Overlapping(K("b"), K("f")).Select(r => r.Value));
        Assert.Equal([2, 3], map.Overlapping(K("e"), []).Select(r => r.Value));
        Assert.Empty(map.Overlapping(K("c"), K("e")));
        Assert.Equal([1], map.Overlapping([], K("b")).Select(r => r.Value));
    }

    [Fact]
    public void Overlapping_stops_at_the_limit()
    {
        var map = new KeyRangeMap<int>();
        map.Add(K("a"), K("c"), 1);
        map.Add(K("c"), K("e"), 2);
        map.Add(K("e"), [], 3);
        Assert.Equal([1, 2], map.Overlapping(K("b"), [], 2).Select(r => r.Value));
        Assert.Equal([2], map.Overlapping(K("c"), [], 1).Select(r => r.Value));
        Assert.Empty(map.Overlapping([], [], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.Overlapping([], [], -1));
    }

    [Fact]
    public void Removes_by_start_key_or_by_value()
    {
        var map = new KeyRangeMap<int>();
        map.Add(K("a"), K("c"), 1);
        map.Add(K("c"), K("e"), 2);
        map.Add(K("e"), K("g"), 3);
        Assert.False(map.Remove(K("b")));
        Assert.True(map.Remove(K("c")));
        Assert.Equal(1, map.RemoveWhere(v => v == 3));
        Assert.Equal("[a,c)=1", Dump(map));
        map.Clear();
        Assert.Empty(map);
    }

    [Fact]
    public void Refuses_empty_ranges()
    {
        var map = new KeyRangeMap<int>();
        Assert.Throws<ArgumentException>(() => map.Add(K("b"), K("b"), 1));
        Assert.Throws<ArgumentException>(() => map.Add(K("c"), K("b"), 1));
    }

    [Fact]
    public void Agrees_with_a_naive_model_under_random_additions()
    {
        var random = new Random(12345);
        var map = new KeyRangeMap<int>();
        var model = new List<(byte[] Start, byte[] End, int Value)>();
        for (var i = 0; i < 2000; i++)
        {
            var a = (byte)random.Next(0, 64);
            var b = (byte)random.Next(0, 65);
            byte[] start = [Math.Min(a, b)];
            byte[] end = random.Next(10) == 0 ? [] : [(byte)(Math.Max(a, b) + 1)];
            map.Add(start, end, i);
            model.RemoveAll(r => (end.Length == 0 || r.Start.AsSpan().SequenceCompareTo(end) < 0) && (r.End.Length == 0 || start.AsSpan().SequenceCompareTo(r.End) < 0));
            model.Add((start, end, i));
            model.Sort((x, y) => x.Start.AsSpan().SequenceCompareTo(y.Start));
            Assert.Equal(model.Select(r => r.Value), map.Select(e => e.Value));
            byte[] probe = [(byte)random.Next(0, 70)];
            var expected = model.FindIndex(r => probe.AsSpan().SequenceCompareTo(r.Start) >= 0 && (r.End.Length == 0 || probe.AsSpan().SequenceCompareTo(r.End) < 0));
            Assert.Equal(expected >= 0, map.TryFind(probe, out var found));
            if (expected >= 0)
            {
                Assert.Equal(model[expected].Value, found.Value);
            }
        }
    }
}
