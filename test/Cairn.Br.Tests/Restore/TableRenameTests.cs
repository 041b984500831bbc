using Cairn.Br.Restore;

namespace Cairn.Br.Tests.Restore;

public sealed class TableRenameTests
{
    [Theory]
    [InlineData("src.t1=dst.t2", "src", "t1", "dst", "t2")]
    [InlineData(" src.* = dst.* ", "src", null, "dst", null)]
    [InlineData("`a.b`.`t=x`=c.`d``e`", "a.b", "t=x", "c", "d`e")]
    [InlineData("数据.表=データ.テーブル", "数据", "表", "データ", "テーブル")]
    public void A_route_parses_into_its_source_and_target(string text, string sourceDb, string? sourceTable, string targetDb, string? targetTable)
    {
        var route = TableRename.Parse(text);
        Assert.Equal(new TableRename(sourceDb, sourceTable, targetDb, targetTable), route);
        Assert.Equal(sourceTable is null, route.IsDatabase);
    }

    [Theory]
    [InlineData("src.t1")]
    [InlineData("src.t1=dst")]
    [InlineData("src.*=dst.t2")]
    [InlineData("src.t1=dst.*")]
    [InlineData("*.*=dst.*")]
    [InlineData("src.t1=dst.t2=x.y")]
    [InlineData("s`rc.t1=dst.t2")]
    [InlineData(".t1=dst.t2")]
    public void A_malformed_route_is_refused_with_the_syntax(string text)
    {
        var error = Assert.Throws<BrException>(() => TableRename.Parse(text));
        Assert.Equal("ErrInvalidArgument", error.Code);
        Assert.Contains("src_db.src_table=dst_db.dst_table", error.Message, StringComparison.Ordinal);
    }
}
