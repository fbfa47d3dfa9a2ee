using PaymentJournal.OData;

namespace PaymentJournal.Tests.Unit;

/// <summary>The rewrite of `in` lists before Microsoft.OData.Core reads them as JSON.</summary>
public sealed class InListsTests
{
    [Theory]
    [InlineData("postingDate in (2024-02-29)", "postingDate in (\"2024-02-29\")")]
    [InlineData("t in (2024-02-29T10:00:00Z, 2024-02-29T10:00:00.5+01:00)", "t in (\"2024-02-29T10:00:00Z\",\"2024-02-29T10:00:00.5+01:00\")")]
    [InlineData("c in ('')", "c in (\"\\ufdd0\")")]
    [InlineData("c in ('a\\b', 'x,y')", "c in (\"\\ufdd0a\\u005cb\",\"\\ufdd0x\\u002cy\")")]
    [InlineData("c in ('it''s')", "c in (\"\\ufdd0it\\u0027s\")")]
    [InlineData("n in (1, -2.5, null)", "n in (1,-2.5,null)")]
    [InlineData("g in (0a000000-0000-0000-0000-000000000000)", "g in (0a000000-0000-0000-0000-000000000000)")]
    public void Lists_become_json_the_parser_reads_exactly(string filter, string expected) => Assert.Equal(expected, InLists.Rewrite(filter));

    [Theory]
    [InlineData("description eq ' in (2024-01-01)'")]
    [InlineData("contains(description,'x') and lineNumber gt 1")]
    [InlineData("join in 5")]
    [InlineData("c in ('unterminated)")]
    [InlineData("c in (f(1), 2)")]
    [InlineData("c in ('a' ")]
    public void Everything_else_stays_as_it_is(string filter) => Assert.Equal(filter, InLists.Rewrite(filter));
}
