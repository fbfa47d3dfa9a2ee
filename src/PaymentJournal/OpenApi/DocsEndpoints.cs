using System.Collections.Concurrent;
using PaymentJournal.Errors;
using PaymentJournal.OData;
using Scalar.AspNetCore;

namespace PaymentJournal.OpenApi;

/// <summary>The OpenAPI documents of the surfaces and API groups the service maps, each written once on first request.</summary>
public sealed class ApiDocuments(Catalog catalog, IConfiguration configuration)
{
    private readonly List<ApiDocument> _documents = [];
    private readonly ConcurrentDictionary<string, Lazy<string>> _json = new(StringComparer.Ordinal);

    public IReadOnlyList<ApiDocument> All => _documents;

    /// <summary>Registers a surface's document; App calls it for every root it maps.</summary>
    public void Add(ApiDocument document)
    {
        _documents.Add(document);
        _json[document.Name] = new Lazy<string>(() => OpenApiGenerator.Write(document, catalog, configuration["Auth:Mode"] ?? "None"));
    }

    public string? Json(string name) => _json.TryGetValue(name, out var json) ? json.Value : null;
}

/// <summary>
/// /openapi/{name}.json and the API reference at /docs (Scalar, with a picker over the documents; its requests go to
/// the service with whatever credential the reader enters). Neither needs a credential: they describe the API, they
/// hold no data.
/// </summary>
public static class DocsEndpoints
{
    public const string DocsPath = "/docs";
    public const string OpenApiPath = "/openapi";

    public static void Map(WebApplication app)
    {
        var documents = app.Services.GetRequiredService<ApiDocuments>();
        app.MapGet(OpenApiPath + "/{**file}", (HttpContext http, string? file) => Serve(http, documents, file ?? ""));
        app.MapScalarApiReference(DocsPath, options =>
        {
            // Relative server URLs (/api/v2.0) are taken from the page's own origin, so "Send" reaches this service.
            options.WithTitle("PaymentJournal API reference").WithDynamicBaseServerUrl(true);
            foreach (var (d, i) in documents.All.Select((d, i) => (d, i)))
                options.AddDocument(d.Name.Replace('/', '-'), d.Title, OpenApiPath + "/" + d.Name + ".json", isDefault: i == 0);
        });
    }

    private static async Task Serve(HttpContext http, ApiDocuments documents, string file)
    {
        var json = file.EndsWith(".json", StringComparison.Ordinal) ? documents.Json(file[..^".json".Length]) : null;
        if (json is null)
        {
            var response = new ResponseBuilder();
            var names = string.Join(", ", documents.All.Select(d => OpenApiPath + "/" + d.Name + ".json"));
            ErrorWriter.Write(response, new ApiException(404, "BadRequest_ResourceNotFound", $"There is no such OpenAPI document; the documents are {names}."), Guid.NewGuid().ToString("D"));
            await ODataEndpoint.WriteAsync(http, response);
            return;
        }
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(json, http.RequestAborted);
    }
}
