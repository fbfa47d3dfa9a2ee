using System.Xml;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.Edm.Validation;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// A real OData client library reads our payloads: $metadata through CsdlReader, and responses of every entity set
/// (collection, single, expanded, $select) through ODataMessageReader against that metadata.
/// </summary>
public sealed class ConformanceTests(ServiceFixture f) : IClassFixture<ServiceFixture>
{
    private const string Company = ServiceFixture.Company;

    private async Task<IEdmModel> Metadata(string root)
    {
        var (status, _, resp) = await f.Http.Get(root + "$metadata");
        Assert.Equal(200, status);
        using var xml = XmlReader.Create(await resp.Content.ReadAsStreamAsync());
        Assert.True(CsdlReader.TryParse(xml, out var model, out var errors), string.Join("; ", errors?.Select(e => e.ErrorMessage) ?? []));
        Assert.True(model.Validate(out IEnumerable<EdmError> validation), string.Join("; ", validation.Select(e => e.ErrorMessage)));
        return model;
    }

    private sealed class Message(Stream body, string contentType) : IODataResponseMessage
    {
        private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = contentType, ["OData-Version"] = "4.0" };
        public IEnumerable<KeyValuePair<string, string>> Headers => _headers;
        public int StatusCode { get; set; } = 200;
        public string GetHeader(string headerName) => _headers.TryGetValue(headerName, out var v) ? v : null!;
        public void SetHeader(string headerName, string headerValue) => _headers[headerName] = headerValue;
        public Stream GetStream() => body;
    }

    /// <summary>A response body handed to the reader as a request's: the reader insists on a context URL in every response, which odata.metadata=none leaves out.</summary>
    private sealed class AsRequest(Stream body, string contentType, Uri url) : IODataRequestMessage
    {
        private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = contentType, ["OData-Version"] = "4.0" };
        public IEnumerable<KeyValuePair<string, string>> Headers => _headers;
        public Uri Url { get; set; } = url;
        public string Method { get; set; } = "POST";
        public string GetHeader(string headerName) => _headers.TryGetValue(headerName, out var v) ? v : null!;
        public void SetHeader(string headerName, string headerValue) => _headers[headerName] = headerValue;
        public Stream GetStream() => body;
    }

    /// <summary>Reads a response with ODataMessageReader and returns the number of top-level resources and the property names seen.</summary>
    private async Task<(int Resources, HashSet<string> Properties)> Read(IEdmModel model, string root, string url, bool collection, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        var resp = await f.Http.SendAsync(request);
        Assert.True(resp.IsSuccessStatusCode, url + " -> " + (int)resp.StatusCode + " " + await resp.Content.ReadAsStringAsync());
        var stream = new MemoryStream(await resp.Content.ReadAsByteArrayAsync());
        var message = new Message(stream, resp.Content.Headers.ContentType!.ToString());
        var settings = new ODataMessageReaderSettings { BaseUri = new Uri(f.BaseAddress, root), Validations = ValidationKinds.All };
        var none = accept?.Contains("odata.metadata=none", StringComparison.Ordinal) == true;
        using var reader = none
            ? new ODataMessageReader(new AsRequest(stream, resp.Content.Headers.ContentType!.ToString(), new Uri(f.BaseAddress, url)), settings, model)
            : new ODataMessageReader(message, settings, model);
        ODataReader odata;
        if (none)
        {
            // Without a context URL the reader is told what it reads: the navigation source the URL addresses.
            // Graph's paths go from its financials singleton.
            var relative = (root.StartsWith("/beta/", StringComparison.Ordinal) ? "financials/" : "") + url[root.Length..].Split('?')[0];
            var path = new Microsoft.OData.UriParser.ODataUriParser(model, new Uri(f.BaseAddress, root), new Uri(relative, UriKind.Relative)).ParsePath();
            var source = path.LastSegment switch
            {
                Microsoft.OData.UriParser.KeySegment k => k.NavigationSource,
                Microsoft.OData.UriParser.NavigationPropertySegment n => n.NavigationSource,
                Microsoft.OData.UriParser.EntitySetSegment e => (IEdmNavigationSource)e.EntitySet,
                var other => throw new InvalidOperationException("no navigation source in " + other),
            };
            odata = collection ? reader.CreateODataResourceSetReader((IEdmEntitySetBase)source, source.EntityType) : reader.CreateODataResourceReader(source, source.EntityType);
        }
        else
        {
            odata = collection ? reader.CreateODataResourceSetReader() : reader.CreateODataResourceReader();
        }
        var props = new HashSet<string>();
        var depth = 0;
        var top = 0;
        while (odata.Read())
        {
            switch (odata.State)
            {
                case ODataReaderState.ResourceStart:
                    depth++;
                    break;
                case ODataReaderState.ResourceEnd:
                    var resource = (ODataResource)odata.Item;
                    if (depth == 1) top++;
                    if (depth == 1) foreach (var p in resource.Properties) props.Add(p.Name);
                    depth--;
                    break;
            }
        }
        return (top, props);
    }

    public static TheoryData<string, string, bool, string> Payloads()
    {
        var v2 = ServiceFixture.V2;
        var c = $"companies({Company})";
        var j = $"{c}/customerPaymentJournals({ServiceFixture.General})";
        var g = ServiceFixture.Graph;
        var gc = $"companies/{Company}";
        return new()
        {
            { v2, "companies", true, "name" },
            { v2, c, false, "displayName" },
            { v2, $"{c}/customerPaymentJournals", true, "code" },
            { v2, j, false, "balancingAccountNumber" },
            { v2, $"{c}/customerPaymentJournals?$expand=customerPayments", true, "code" },
            { v2, $"{j}/customerPayments", true, "amount" },
            { v2, $"{j}/customerPayments?$select=amount,lineNumber", true, "amount" },
            { v2, $"{j}/customerPayments?$expand=customer($select=number),dimensionSetLines", true, "journalId" },
            { v2, $"{c}/customers", true, "balanceDue" },
            { v2, $"{c}/customers(c0000000-0000-4000-8000-000000000001)", false, "number" },
            { v2, $"{c}/contacts?$expand=customer", true, "customerId" },
            { v2, $"{c}/salesInvoices?$expand=salesInvoiceLines", true, "remainingAmount" },
            { v2, $"{c}/salesInvoices(d1000000-0000-4000-8000-000000000001)/salesInvoiceLines", true, "unitPrice" },
            { v2, $"{c}/accounts", true, "netChange" },
            { v2, $"{c}/dimensions?$expand=dimensionValues", true, "code" },
            { g, "companies", true, "name" },
            { g, $"{gc}/customerPaymentJournals?$select=code,displayName", true, "displayName" },
            { g, $"{gc}/customerPaymentJournals/{ServiceFixture.General}/customerPayments", true, "contactId" },
            { g, $"{gc}/customerPaymentJournals({ServiceFixture.General})?$expand=account", false, "code" },
            { g, $"{gc}/customers", true, "blocked" },
            { g, $"{gc}/generalLedgerEntries?$top=2", true, "accountNumber" },
            { ServiceFixture.Ledger, $"{c}/customerLedgerEntries?$expand=dimensionSetLines", true, "entryNumber" },
            { ServiceFixture.Ledger, $"{c}/generalLedgerEntries?$top=3", true, "debitAmount" },
            { ServiceFixture.Posting, $"{c}/customerPaymentJournals", true, "balancingAccountNumber" },
            { ServiceFixture.Posting, j, false, "code" },
        };
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task ODataMessageReader_reads_the_payload(string root, string path, bool collection, string expectedProperty)
    {
        await EnsurePaymentWithDimension();
        var model = await Metadata(root);
        var (count, props) = await Read(model, root, root + path, collection);
        Assert.True(count > 0, "no resources read from " + path);
        Assert.Contains(expectedProperty, props);
    }

    [Theory]
    [InlineData(ServiceFixture.V2)]
    [InlineData("/v2.0/contoso/production/api/v2.0/")]
    [InlineData(ServiceFixture.Graph)]
    [InlineData(ServiceFixture.Ledger)]
    [InlineData(ServiceFixture.Posting)]
    public async Task Every_metadata_document_parses_and_validates(string root) => Assert.NotNull(await Metadata(root));

    public static TheoryData<string, string, bool, string, string> PayloadsInEveryFormat()
    {
        var data = new TheoryData<string, string, bool, string, string>();
        string[] accepts =
        [
            "application/json;odata.metadata=none", "application/json;odata.metadata=full",
            "application/json;odata.metadata=minimal;IEEE754Compatible=true", "application/json;odata.metadata=full;IEEE754Compatible=true",
            "application/json;odata.metadata=none;IEEE754Compatible=true",
        ];
        foreach (var row in Payloads())
        {
            var (root, path, collection, property) = ((string)row[0], (string)row[1], (bool)row[2], (string)row[3]);
            // $select and $expand without a context URL leave the reader nothing to check the shape by; they are read in the other formats.
            foreach (var accept in accepts)
                if (!(accept.Contains("none", StringComparison.Ordinal) && path.Contains('?', StringComparison.Ordinal)))
                    data.Add(root, path, collection, property, accept);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(PayloadsInEveryFormat))]
    public async Task ODataMessageReader_reads_every_metadata_level_with_and_without_ieee754(string root, string path, bool collection, string expectedProperty, string accept)
    {
        await EnsurePaymentWithDimension();
        var model = await Metadata(root);
        var (count, props) = await Read(model, root, root + path, collection, accept);
        Assert.True(count > 0, "no resources read from " + path);
        Assert.Contains(expectedProperty, props);
    }

    [Fact]
    public async Task Both_metadata_documents_parse_and_validate()
    {
        var v2 = await Metadata(ServiceFixture.V2);
        var graph = await Metadata(ServiceFixture.Graph);
        Assert.NotNull(v2.FindDeclaredType("Microsoft.NAV.customerPayment"));
        Assert.NotNull(graph.FindDeclaredType("microsoft.graph.customerPayment"));
        Assert.NotNull(((IEdmEntityType)v2.FindDeclaredType("Microsoft.NAV.customerPayment")).FindProperty("journalId"));
        Assert.Null(((IEdmEntityType)graph.FindDeclaredType("microsoft.graph.customerPayment")).FindProperty("journalId"));
        Assert.NotNull(((IEdmEntityType)graph.FindDeclaredType("microsoft.graph.customerPayment")).FindProperty("contactId"));
    }

    private static readonly SemaphoreSlim Once = new(1, 1);
    private bool _seeded;

    private async Task EnsurePaymentWithDimension()
    {
        await Once.WaitAsync();
        try
        {
            if (_seeded) return;
            var (status, _, _) = await f.Http.Post(ServiceFixture.PaymentsPath(), new
            {
                customerNumber = "C00002", amount = -10, dimensionSetLines = new[] { new { code = "AREA", valueCode = "10" } },
            });
            Assert.Equal(201, status);
            _seeded = true;
        }
        finally
        {
            Once.Release();
        }
    }
}
