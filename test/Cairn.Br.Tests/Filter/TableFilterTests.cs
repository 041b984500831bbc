using Cairn.Br.Filter;

namespace Cairn.Br.Tests.Filter;

public sealed class TableFilterTests
{
    private static TableFilter F(params string[] rules) => TableFilter.Parse(rules);

    [Fact]
    public void A_schema_wildcard_selects_every_table_of_that_schema_only()
    {
        var filter = F("employees.*");
        Assert.True(filter.MatchTable("employees", "salaries"));
        Assert.False(filter.MatchTable("employees2", "salaries"));
        Assert.False(filter.MatchTable("other", "salaries"));
    }

    [Fact]
    public void A_table_pattern_applies_in_every_schema()
    {
        var filter = F("*.WorkOrder");
        Assert.True(filter.MatchTable("AdventureWorks", "WorkOrder"));
        Assert.True(filter.MatchTable("x", "workorder"));
        Assert.False(filter.MatchTable("x", "WorkOrders"));
    }

    [Fact]
    public void Question_marks_and_classes_match_one_character_each()
    {
        var filter = F("db[0-9].tbl[0-9a-f][0-9a-f]", "data?.t");
        Assert.True(filter.MatchTable("db1", "tbl3f"));
        Assert.False(filter.MatchTable("db12", "tbl3f"));
        Assert.False(filter.MatchTable("db1", "tbl3g"));
        Assert.True(filter.MatchTable("data9", "t"));
        Assert.True(filter.MatchTable("dataé", "t"));
        Assert.False(filter.MatchTable("data", "t"));
    }

    [Fact]
    public void A_bang_class_is_a_negated_class_and_a_caret_is_a_plain_member()
    {
        var filter = TableFilter.Parse(["d.[!a-c]x", "e.[^a]"], caseSensitive: true);
        Assert.True(filter.MatchTable("d", "dx"));
        Assert.False(filter.MatchTable("d", "bx"));
        Assert.True(filter.MatchTable("e", "^"));
        Assert.True(filter.MatchTable("e", "a"));
        Assert.False(filter.MatchTable("e", "b"));
    }

    [Fact]
    public void The_last_matching_rule_wins_and_unmatched_tables_are_excluded()
    {
        // The documentation's ordering example.
        var filter = F("employees.*", "!*.dep*", "*.departments");
        Assert.True(filter.MatchTable("employees", "departments"));
        Assert.False(filter.MatchTable("employees", "dept_manager"));
        Assert.True(filter.MatchTable("employees", "salaries"));
        Assert.False(filter.MatchTable("other", "salaries"));
        Assert.True(filter.MatchTable("other", "departments"));
    }

    [Fact]
    public void A_blocklist_starts_from_everything()
    {
        var filter = F("*.*", "!*.Password", "!employees.salaries");
        Assert.True(filter.MatchTable("employees", "titles"));
        Assert.False(filter.MatchTable("employees", "salaries"));
        Assert.False(filter.MatchTable("app", "password"));
        Assert.True(filter.MatchTable("app", "users"));
    }

    [Fact]
    public void Backquoted_and_double_quoted_names_are_literal()
    {
        var filter = F("`a.b`.`c*`", "\"x\"\"y\".t");
        Assert.True(filter.MatchTable("a.b", "c*"));
        Assert.False(filter.MatchTable("a.b", "cd"));
        Assert.False(filter.MatchTable("a", "b.c*"));
        Assert.True(filter.MatchTable("x\"y", "t"));
        Assert.True(F("`tick``s`.*").MatchTable("tick`s", "t"));
    }

    [Fact]
    public void The_readme_examples_for_dotted_schema_names_select_as_documented()
    {
        Assert.True(F(@"AdventureWorks\.*.*").MatchTable("AdventureWorks.Person", "Password"));
        Assert.False(F(@"AdventureWorks\.*.*").MatchTable("AdventureWorks", "Person"));
        var quoted = F("\"AdventureWorks.Person\".Person", "`AdventureWorks.Person`.Password");
        Assert.True(quoted.MatchTable("AdventureWorks.Person", "Person"));
        Assert.True(quoted.MatchTable("AdventureWorks.Person", "Password"));
        Assert.False(quoted.MatchTable("AdventureWorks.Sales", "Person"));
        var regexps = F(@"/^db\d{2,}$/./^tbl\d{2,}$/");
        Assert.True(regexps.MatchTable("db01", "tbl123"));
        Assert.False(regexps.MatchTable("db1", "tbl123"));
        Assert.True(F("/b/.*").MatchTable("db01", "t"));
        Assert.True(F("db.t[ ]").MatchTable("db", "t "));
        Assert.Throws<FormatException>(() => F("\"this is \"invalid*.*"));
    }

    [Fact]
    public void A_question_mark_is_one_code_point_not_one_utf16_unit()
    {
        var facepalm = "\U0001F926\U0001F3FF\u200D\u2640\uFE0F"; // five code points, seven UTF-16 units
        Assert.True(F("e.?????").MatchTable("e", facepalm));
        Assert.False(F("e.????").MatchTable("e", facepalm));
        Assert.True(F("e.?").MatchTable("e", "\u00E9"));
        Assert.True(F("e.??").MatchTable("e", "e\u0301"));
    }

    [Fact]
    public void A_backslash_makes_a_symbol_literal()
    {
        var filter = F(@"my\-db.t\*");
        Assert.True(filter.MatchTable("my-db", "t*"));
        Assert.False(filter.MatchTable("my-db", "tx"));
    }

    [Fact]
    public void A_regexp_part_matches_when_any_substring_matches()
    {
        var filter = F(@"/^db\d+$/.*", "x./log/");
        Assert.True(filter.MatchTable("db12", "t"));
        Assert.False(filter.MatchTable("db", "t"));
        Assert.True(filter.MatchTable("x", "changelog_2024"));
        Assert.False(filter.MatchTable("x", "events"));
    }

    [Fact]
    public void Matching_ignores_case_unless_asked_not_to()
    {
        Assert.True(F("Employees.Salaries").MatchTable("EMPLOYEES", "salaries"));
        Assert.True(F("emp*.[A-C]*").MatchTable("EMP", "bonus"));
        var sensitive = TableFilter.Parse(["Employees.*"], caseSensitive: true);
        Assert.True(sensitive.MatchTable("Employees", "t"));
        Assert.False(sensitive.MatchTable("employees", "t"));
    }

    [Fact]
    public void Blank_lines_and_comments_are_skipped()
    {
        var filter = F("", "  # a comment", "\tdb.t  ");
        Assert.True(filter.MatchTable("db", "t"));
        Assert.Equal("`db`.`t`", filter.ToString());
    }

    [Fact]
    public void A_file_import_reads_one_rule_per_line()
    {
        using var dir = new TempDirectory("filter");
        var path = dir.Sub("rules.txt");
        File.WriteAllLines(path, ["# rules", "*.*", "", "!mysql.*"]);
        var filter = F("@" + path, "mysql.user");
        Assert.True(filter.MatchTable("app", "t"));
        Assert.False(filter.MatchTable("mysql", "db"));
        Assert.True(filter.MatchTable("mysql", "user"));

        File.WriteAllLines(path, ["db.*", "@" + path]);
        var nested = Assert.Throws<FormatException>(() => F("@" + path));
        Assert.Contains("line 2", nested.Message, StringComparison.Ordinal);
        Assert.Contains("cannot import", nested.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<FormatException>(() => F("@" + dir.Sub("none.txt")));
        Assert.Contains("cannot read the filter file", missing.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("db", "missing '.'")]
    [InlineData("db.", "empty table pattern")]
    [InlineData(".t", "empty schema pattern")]
    [InlineData("`db.t", "unterminated `")]
    [InlineData("db.[a-z", "unterminated '['")]
    [InlineData("db.[]", "empty character class")]
    [InlineData("db.t extra", "after the table pattern")]
    [InlineData("db.t # note", "comment must start its own line")]
    [InlineData("db.t.u", "after the table pattern")]
    [InlineData("`ab`c.t", "quoted name must be the whole")]
    [InlineData(@"db.t\", "escapes nothing")]
    [InlineData(@"db.\a", "not a valid escape")]
    [InlineData("my-db.t", "unexpected '-'")]
    [InlineData("!@rules.txt", "cannot be negated")]
    [InlineData("db./x(/", "invalid regular expression")]
    [InlineData("db./abc", "unterminated /regexp/")]
    [InlineData("db.[z-a]", "invalid character class")]
    [InlineData("@", "must be followed by the path")]
    public void A_malformed_rule_is_refused_with_a_message_naming_it(string rule, string reason)
    {
        var error = Assert.Throws<FormatException>(() => F("*.*", rule));
        Assert.Contains($"'{rule}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_matches_when_some_table_of_it_may_match()
    {
        Assert.True(F("db.t1").MatchSchema("db"));
        Assert.False(F("db.t1").MatchSchema("other"));
        Assert.False(F("*.*", "!db.*").MatchSchema("db"));
        Assert.True(F("*.*", "!db.t1").MatchSchema("db"));
        Assert.True(F("!db.*", "db.t2").MatchSchema("db"));
        Assert.False(F().MatchSchema("db"));
    }

    [Fact]
    public void The_restore_default_leaves_out_system_and_temporary_databases()
    {
        var filter = TableFilter.RestoreDefault;
        Assert.True(filter.MatchTable("app", "users"));
        foreach (var system in new[] { "mysql", "sys", "information_schema", "PERFORMANCE_SCHEMA", "metrics_schema", "inspection_schema", "__TiDB_BR_Temporary_mysql" })
        {
            Assert.False(filter.MatchTable(system, "t"), system);
            Assert.False(filter.MatchSchema(system), system);
        }
        Assert.True(TableFilter.All.MatchTable("mysql", "user"));
    }

    [Fact]
    public void Exact_schema_and_table_filters_match_names_only_literally()
    {
        var schemas = TableFilter.ForSchemas(["Shop", "a*"]);
        Assert.True(schemas.MatchTable("shop", "orders"));
        Assert.True(schemas.MatchSchema("SHOP"));
        Assert.False(schemas.MatchTable("ab", "t"));
        Assert.True(schemas.MatchTable("a*", "t"));

        var tables = TableFilter.ForTables([("shop", "orders"), ("a.b", "c")], caseSensitive: true);
        Assert.True(tables.MatchTable("shop", "orders"));
        Assert.False(tables.MatchTable("shop", "Orders"));
        Assert.False(tables.MatchTable("shop", "items"));
        Assert.True(tables.MatchSchema("a.b"));
        Assert.False(tables.MatchSchema("a"));
    }

    [Fact]
    public void Many_exact_tables_are_looked_up_quickly()
    {
        var names = Enumerable.Range(0, 20_000).Select(i => ("db" + (i % 10), "t" + i)).ToList();
        var filter = TableFilter.ForTables(names);
        var matched = names.Count(n => filter.MatchTable(n.Item1, n.Item2));
        Assert.Equal(names.Count, matched);
        Assert.False(filter.MatchTable("db1", "t0"));
    }

    [Fact]
    public void Qualified_table_names_split_at_the_unquoted_dot()
    {
        Assert.Equal(("db", "t"), TableFilter.ParseTableName("db.t"));
        Assert.Equal(("a.b", "c"), TableFilter.ParseTableName("`a.b`.`c`"));
        Assert.Equal(("x`y", "t.u"), TableFilter.ParseTableName("`x``y`.`t.u`"));
        Assert.Equal(("db", "t"), TableFilter.ParseTableName(" db.`t` "));
        foreach (var bad in new[] { "db", "db.", ".t", "`db.t", "db.t.u", "`a`b.t", "db.`t`x" })
        {
            var error = Assert.Throws<FormatException>(() => TableFilter.ParseTableName(bad));
            Assert.Contains($"'{bad}'", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_canonical_text_is_the_same_for_the_same_rules_however_spelled()
    {
        Assert.Equal(F("db.t", "!x.*").ToString(), F(" `db`.\"t\"", "!`x`.*").ToString());
        Assert.Equal(TableFilter.ForTables([("db", "t")]).ToString(), F("db.t").ToString());
        Assert.Equal(TableFilter.ForSchemas(["b", "a"]).ToString(), TableFilter.ForSchemas(["a", "b"]).ToString());
        Assert.NotEqual(F("db.t").ToString(), TableFilter.Parse(["db.t"], caseSensitive: true).ToString());
        Assert.NotEqual(F("db.t*").ToString(), F("db.`t*`").ToString());
        Assert.Equal("*.*, !`db`.*", F("*.*", "!db.*").ToString());
        Assert.Equal(F("Shop.Orders", "APP*.*").ToString(), F("shop.orders", "app*.*").ToString());
        Assert.Equal(TableFilter.ForTables([("Shop", "Orders")]).ToString(), F("shop.orders").ToString());
        Assert.NotEqual(TableFilter.Parse(["Shop.t"], caseSensitive: true).ToString(), TableFilter.Parse(["shop.t"], caseSensitive: true).ToString());
        Assert.NotEqual(F(@"/\D/.t").ToString(), F(@"/\d/.t").ToString());
    }
}
