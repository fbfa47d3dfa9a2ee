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

    [Fact]
    public void A_remembered_accept_value_answers_as_parsing_it_does()
    {
        // Each call twice: the first parses (and remembers), the second is answered from what was remembered.
        var full = new JsonFormat(MetadataLevel.Full, false);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(JsonFormat.Default, JsonFormat.Negotiate(ResponseKind.Json, "application/json", null, null, JsonFormat.Default));
            // What a $batch part inherits is part of the answer: the same Accept gives a different format.
            Assert.Equal(full, JsonFormat.Negotiate(ResponseKind.Json, "application/json", null, null, full));
            Assert.Equal(new JsonFormat(MetadataLevel.Full, true), JsonFormat.Negotiate(ResponseKind.Json, "application/json", null, "application/json;IEEE754Compatible=true", full));
            Assert.Equal(new JsonFormat(MetadataLevel.Minimal, true), JsonFormat.Negotiate(ResponseKind.Json, "application/json", null, "application/json;IEEE754Compatible=true"));
            // The kind of answer too: XML is fine for $metadata, a 406 elsewhere, every time.
            Assert.Equal(JsonFormat.Default, JsonFormat.Negotiate(ResponseKind.Xml, "application/xml", null, null));
            Assert.Equal(406, Assert.Throws<ApiException>(() => JsonFormat.Negotiate(ResponseKind.Json, "application/xml", null, null)).Status);
        }
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("W/\"123\"", true)]
    [InlineData("caf\\u00e9 \\ud83d\\ude00", true)] // non-ASCII, well-formed: the character-by-character check
    [InlineData("a\\u0000b", false)] // ASCII, but NUL
    [InlineData("a\\ufdd0b", false)] // bytes that were not UTF-8, as the server marks them
    [InlineData("a\\ufeffb", false)]
    [InlineData("a\\ud800b", false)]
    [InlineData("\\udc00", false)]
    public void CheckHeaders_takes_ascii_at_once_and_reads_the_rest(string escaped, bool wellFormed)
    {
        var value = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary { ["Accept"] = "application/json", ["X-Test"] = value };
        var error = WellFormed.CheckHeaders(headers);
        Assert.Equal(wellFormed, error is null);
        if (error is not null) Assert.Contains("'X-Test'", error.Message);
    }

    [Fact]
    public void IsWellFormed_takes_ascii_at_once_and_reads_the_rest()
    {
        Assert.True(WellFormed.IsWellFormed("plain ascii, even with \0"));
        Assert.True(WellFormed.IsWellFormed("café 😀"));
        Assert.False(WellFormed.IsWellFormed("caf\ufeffé"));
        Assert.False(WellFormed.IsWellFormed("ab\ud800"));
        Assert.False(WellFormed.IsWellFormed("\udc00ab"));
    }
}
