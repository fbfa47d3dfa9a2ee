using System.Text;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Tests.Unit;

/// <summary>The Unicode checks, the echo bound of error messages and the format negotiation, without a server.</summary>
public sealed class WellFormedTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("caf%C3%A9", "café")]
    [InlineData("caf%c3%a9", "café")]
    [InlineData("%F0%9F%98%80x", "😀x")]
    [InlineData("100%", "100%")]
    [InlineData("%ZZ%2", "%ZZ%2")]
    [InlineData("é😀", "é😀")]
    [InlineData("a%20b%27", "a b'")]
    public void Unescape_decodes_well_formed_utf8(string raw, string expected) =>
        Assert.Equal(expected, WellFormed.Unescape(raw, "test"));

    [Theory]
    [InlineData("%FF")]
    [InlineData("%C3")]
    [InlineData("a%C0%AEb")]
    [InlineData("%E0%80%AF")]
    [InlineData("%ED%A0%80")]
    [InlineData("%F4%90%80%80")]
    [InlineData("a%EF%BB%BFb")]
    public void Unescape_refuses_malformed_text(string raw)
    {
        var e = Assert.Throws<ApiException>(() => WellFormed.Unescape(raw, "test"));
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public void Unescape_refuses_lone_surrogates_with_or_without_escapes()
    {
        Assert.Throws<ApiException>(() => WellFormed.Unescape("\ud800", "test"));
        Assert.Throws<ApiException>(() => WellFormed.Unescape("x\udc00%20", "test"));
        Assert.False(WellFormed.IsWellFormed("a\ud83d"));
        Assert.True(WellFormed.IsWellFormed("a\ud83d\ude00"));
    }

    [Theory]
    [InlineData("{\"a\":\"b\"}", true)]
    [InlineData("{\"a\":\"\\u00e9\\ud83d\\ude00\"}", true)]
    [InlineData("{\"a\":\"\\\\ud800\"}", true)] // an escaped backslash, then plain text
    [InlineData("{\"a\":\"\\ud800\"}", false)]
    [InlineData("{\"\\udc00\":1}", false)]
    [InlineData("{\"a\":\"\\ufeff\"}", false)]
    [InlineData("{\"a\":", true)] // not JSON: the parser says so, not this check
    public void CheckJson_finds_escaped_lone_surrogates_and_byte_order_marks(string json, bool wellFormed) =>
        Assert.Equal(wellFormed, WellFormed.CheckJson(Encoding.UTF8.GetBytes(json)) is null);

    [Fact]
    public void CheckJson_allows_one_leading_byte_order_mark_and_no_other()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        Assert.Null(WellFormed.CheckJson([.. bom, .. "{}"u8]));
        Assert.NotNull(WellFormed.CheckJson([.. bom, .. bom, .. "{}"u8]));
        Assert.NotNull(WellFormed.CheckJson([.. "{\"a\":\""u8, 0xC0, 0xAF, .. "\"}"u8]));
    }

    [Fact]
    public void Scrub_replaces_only_lone_surrogates() =>
        Assert.Equal("a\uFFFDb😀\uFFFD", WellFormed.Scrub("a\ud800b😀\udc00"));

    [Fact]
    public void Echo_keeps_short_text_whole_and_marks_a_cut()
    {
        Assert.Equal(new string('x', ApiErrors.MaxEcho), ApiErrors.Echo(new string('x', ApiErrors.MaxEcho)));
        var cut = ApiErrors.Echo(new string('y', 5000));
        Assert.StartsWith(new string('y', ApiErrors.MaxEcho), cut);
        Assert.EndsWith("[... cut here: 5000 characters in all]", cut);
    }

    [Theory]
    [InlineData(null, null, null, MetadataLevel.Minimal, false)]
    [InlineData("application/json;odata.metadata=full", null, null, MetadataLevel.Full, false)]
    [InlineData("application/json;odata.metadata=none;IEEE754Compatible=true", null, null, MetadataLevel.None, true)]
    [InlineData("application/json", null, "application/json;IEEE754Compatible=true", MetadataLevel.Minimal, true)]
    [InlineData("application/xml;q=0.9, application/json;odata.metadata=full;q=0.5", null, null, MetadataLevel.Full, false)]
    [InlineData("application/xml", "application/json;odata.metadata=none", null, MetadataLevel.None, false)]
    [InlineData("*/*", "json", null, MetadataLevel.Minimal, false)]
    public void Negotiate_picks_the_json_format(string? accept, string? format, string? contentType, MetadataLevel level, bool ieee754)
    {
        var f = JsonFormat.Negotiate(ResponseKind.Json, accept, format, contentType);
        Assert.Equal((level, ieee754), (f.Metadata, f.Ieee754));
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("application/json;odata.metadata=minimall")]
    [InlineData("application/json;q=0")]
    public void Negotiate_refuses_what_it_cannot_produce(string accept)
    {
        var e = Assert.Throws<ApiException>(() => JsonFormat.Negotiate(ResponseKind.Json, accept, null, null));
        Assert.Equal((406, "BadRequest_NotAcceptable"), (e.Status, e.Code));
    }
}
