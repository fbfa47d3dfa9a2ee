using System.Text.Json.Nodes;
using Microsoft.OData.Edm;
using Microsoft.OpenApi;
using PaymentJournal.OData;

namespace PaymentJournal.OpenApi;

/// <summary>One OpenAPI document: a surface (or API group), its service roots, and the URL it is served at.</summary>
/// <param name="Name">the document's name in /openapi/{Name}.json, e.g. v2.0 or beta</param>
/// <param name="Roots">the service roots, e.g. /api/v2.0; a root may hold {variables}, described in <paramref name="Variables"/></param>
public sealed record ApiDocument(string Name, string Title, Surface Surface, IReadOnlyList<string> Roots,
    IReadOnlyDictionary<string, (string Default, string Description)>? Variables = null);

/// <summary>
/// Writes an OpenAPI 3.1 document for a surface from its EDM model (the one $metadata is written from) and the entity
/// set definitions behind it: a path for every entity set and navigation reachable from the container (keys in each
/// form the surface accepts), query options as parameters, schemas from the entity types (read-only properties
/// marked so), the error body, bound actions and the security schemes of the configured auth mode.
/// </summary>
public static class OpenApiGenerator
{
    private const int MaxDepth = 5;
    private const string Json = "application/json";

    public static string Write(ApiDocument api, Catalog catalog, string authMode)
    {
        var model = api.Surface.Model;
        var doc = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = api.Title,
                Version = typeof(OpenApiGenerator).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
                Description = "Generated from the service's EDM model, the same one its $metadata is written from.",
            },
            Servers = api.Roots.Select(r => new OpenApiServer
            {
                Url = r,
                Variables = api.Variables?.Where(v => r.Contains("{" + v.Key + "}", StringComparison.Ordinal))
                    .ToDictionary(v => v.Key, v => new OpenApiServerVariable { Default = v.Value.Default, Description = v.Value.Description }),
            }).ToList(),
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
                Parameters = new Dictionary<string, IOpenApiParameter>(StringComparer.Ordinal),
                Responses = new Dictionary<string, IOpenApiResponse>(StringComparer.Ordinal),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal),
                Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal),
            },
        };
        var writer = new Builder(doc, api.Surface, catalog);
        writer.AddShared();
        writer.AddSecurity(authMode);
        foreach (var type in model.SchemaElements.OfType<IEdmEntityType>()) writer.AddSchemas(type);
        // Every path starts at companies (the container's other entity sets are reached through a company).
        var companies = model.SchemaElements.OfType<IEdmEntityType>().Single(t => t.Name == catalog.Companies.TypeName);
        writer.AddPaths(companies, "", [], [], collectionWrites: true);
        doc.Tags = writer.Tags.Order(StringComparer.Ordinal).Select(t => new OpenApiTag { Name = t }).ToHashSet();

        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        doc.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString();
    }

    private sealed class Builder(OpenApiDocument doc, Surface surface, Catalog catalog)
    {
        private readonly Dictionary<string, EntitySetDef> _setsByType = catalog.Sets.Where(s => s.On(surface.Kind)).ToDictionary(s => s.TypeName, StringComparer.Ordinal);
        private readonly HashSet<string> _operationIds = new(StringComparer.Ordinal);
        public HashSet<string> Tags { get; } = new(StringComparer.Ordinal);

        private static readonly string[] ListOptions = ["filter", "select", "expand", "orderby", "top", "skip", "count", "skiptoken"];

        public void AddShared()
        {
            var p = doc.Components!.Parameters!;
            p["filter"] = Query("$filter", "Rows that satisfy an OData filter expression, e.g. amount lt -100", JsonSchemaType.String);
            p["select"] = Query("$select", "Properties to return, comma-separated", JsonSchemaType.String);
            p["expand"] = Query("$expand", "Navigation properties to include, with nested options in parentheses", JsonSchemaType.String);
            p["orderby"] = Query("$orderby", "Properties to sort by, each optionally followed by asc or desc", JsonSchemaType.String);
            p["top"] = Query("$top", "Rows to return at most", JsonSchemaType.Integer, minimum: "0");
            p["skip"] = Query("$skip", "Rows to skip", JsonSchemaType.Integer, minimum: "0");
            p["count"] = Query("$count", "Include @odata.count, the number of matching rows", JsonSchemaType.Boolean);
            p["skiptoken"] = Query("$skiptoken", "The continuation of a paged answer; take @odata.nextLink as it is", JsonSchemaType.String);
            p["ifMatch"] = new OpenApiParameter
            {
                Name = "If-Match", In = ParameterLocation.Header, Required = true,
                Description = "The entity's @odata.etag, or * to skip the check",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
            p["idempotencyKey"] = new OpenApiParameter
            {
                Name = Features.Idempotency.IdempotencyMiddleware.Header, In = ParameterLocation.Header,
                Description = "A value of the client's own (1 to 255 printable ASCII characters) that makes a retry safe: a retry with the " +
                              "same key and the same request gets the first answer again instead of running twice; the same key with " +
                              "another request is a 422. Kept per credential and company for Idempotency:RetentionHours.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 255, Pattern = "^[\\x20-\\x7E]+$" },
            };
            doc.Components.Headers!["idempotentReplayed"] = new OpenApiHeader
            {
                Description = "true when the answer is the stored answer of an earlier request with the same Idempotency-Key",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("true")] },
            };
            p["prefer"] = new OpenApiParameter
            {
                Name = "Prefer", In = ParameterLocation.Header,
                Description = "odata.maxpagesize=N (a smaller page) or return=minimal (204 without a body)",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };

            doc.Components.Schemas!["ODataError"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "error" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["error"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "code", "message" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "e.g. BadRequest_ResourceNotFound, Internal_EntityChanged" },
                            ["message"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "ends with the request's correlation id" },
                            ["details"] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Array,
                                Items = new OpenApiSchema
                                {
                                    Type = JsonSchemaType.Object,
                                    Properties = new Dictionary<string, IOpenApiSchema>
                                    {
                                        ["code"] = new OpenApiSchema { Type = JsonSchemaType.String },
                                        ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                                        ["target"] = new OpenApiSchema { Type = JsonSchemaType.String },
                                    },
                                },
                            },
                        },
                    },
                },
            };
            doc.Components.Responses!["error"] = new OpenApiResponse
            {
                Description = "An error, in the OData error body",
                Content = new Dictionary<string, IOpenApiMediaType> { [Json] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("ODataError", doc) } },
            };
        }

        private static OpenApiParameter Query(string name, string description, JsonSchemaType type, string? minimum = null) => new()
        {
            Name = name, In = ParameterLocation.Query, Description = description,
            Schema = new OpenApiSchema { Type = type, Minimum = minimum },
        };

        public void AddSecurity(string authMode)
        {
            var schemes = doc.Components!.SecuritySchemes!;
            var names = new List<string>();
            if (string.Equals(authMode, "ApiKey", StringComparison.OrdinalIgnoreCase))
            {
                schemes["apiKey"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key", Description = "An API key (Auth:ApiKeys)" };
                schemes["basic"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "basic", Description = "The API key as the password of Basic authentication (any user name)" };
                names.AddRange(["apiKey", "basic"]);
            }
            else if (string.Equals(authMode, "Jwt", StringComparison.OrdinalIgnoreCase))
            {
                schemes["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT", Description = "A bearer token (Auth:Jwt)" };
                names.Add("bearer");
            }
            doc.Security = names.Select(n => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(n, doc)] = [] }).ToList();
        }

        private string SchemaId(IEdmEntityType type) => type.FullName();

        public void AddSchemas(IEdmEntityType type)
        {
            _setsByType.TryGetValue(type.Name, out var set);
            var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["@odata.etag"] = new OpenApiSchema { Type = JsonSchemaType.String, ReadOnly = true, Description = "the version to send back in If-Match" },
            };
            foreach (var p in type.StructuralProperties())
            {
                var schema = Primitive(p.Type);
                var field = set?.FindField(p.Name, surface.Kind);
                if (field?.Access == Access.ReadOnly) schema.ReadOnly = true;
                else if (field?.Access == Access.CreateOnly) schema.Description = "set on create only";
                properties[p.Name] = schema;
            }
            foreach (var nav in type.NavigationProperties())
            {
                IOpenApiSchema target = new OpenApiSchemaReference(SchemaId(nav.ToEntityType()), doc);
                properties[nav.Name] = nav.Type.IsCollection()
                    ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = target, Description = "with $expand" }
                    : new OpenApiSchema { AnyOf = [target, new OpenApiSchema { Type = JsonSchemaType.Null }], Description = "with $expand" };
            }
            var schemas = doc.Components!.Schemas!;
            schemas[SchemaId(type)] = new OpenApiSchema { Type = JsonSchemaType.Object, Title = type.Name, Properties = properties };
            schemas[SchemaId(type) + "Collection"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["@odata.context"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["@odata.count"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Description = "with $count=true" },
                    ["@odata.nextLink"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "the next page, when there is one" },
                    ["value"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(SchemaId(type), doc) },
                },
            };
        }

        private static OpenApiSchema Primitive(IEdmTypeReference type)
        {
            var s = new OpenApiSchema();
            switch (type.PrimitiveKind())
            {
                case EdmPrimitiveTypeKind.Guid: s.Type = JsonSchemaType.String; s.Format = "uuid"; break;
                case EdmPrimitiveTypeKind.Date: s.Type = JsonSchemaType.String; s.Format = "date"; break;
                case EdmPrimitiveTypeKind.DateTimeOffset: s.Type = JsonSchemaType.String; s.Format = "date-time"; break;
                case EdmPrimitiveTypeKind.Decimal: s.Type = JsonSchemaType.Number; s.Format = "decimal"; break;
                case EdmPrimitiveTypeKind.Int32: s.Type = JsonSchemaType.Integer; s.Format = "int32"; break;
                case EdmPrimitiveTypeKind.Int64: s.Type = JsonSchemaType.Integer; s.Format = "int64"; break;
                case EdmPrimitiveTypeKind.Boolean: s.Type = JsonSchemaType.Boolean; break;
                default:
                    s.Type = JsonSchemaType.String;
                    if (type.AsString() is { MaxLength: { } max }) s.MaxLength = max;
                    break;
            }
            if (type.IsNullable) s.Type |= JsonSchemaType.Null;
            return s;
        }

        /// <summary>
        /// The paths of a collection of <paramref name="type"/> at <paramref name="prefix"/>/{name}, its entities by key
        /// in each key form, their bound actions, and (recursively) the collections below them.
        /// </summary>
        public void AddPaths(IEdmEntityType type, string name, IReadOnlyList<string> prefixes, IReadOnlyList<string> chain, bool collectionWrites)
        {
            if (chain.Count >= MaxDepth) return;
            _setsByType.TryGetValue(type.Name, out var set);
            var label = string.Join('.', chain.Append(name.Length > 0 ? name : type.Name));
            var collectionPaths = prefixes.Count == 0 ? ["/" + EntitySetName(type)] : prefixes.Select(p => p + "/" + name).ToList();
            if (prefixes.Count == 0) label = EntitySetName(type);
            var tag = EntitySetName(type);
            var keys = type.Key().ToList();
            var keyParams = keys.Select(k => (Name: type.Name + "-" + k.Name, Property: k)).ToList();

            foreach (var (path, i) in collectionPaths.Select((p, i) => (p, i)))
            {
                var item = PathItem(path);
                var suffix = i == 0 ? "" : "-" + i;
                item.AddOperation(HttpMethod.Get, Operation($"{label}.List{suffix}", tag, $"List {name.OrDefault(EntitySetName(type))}",
                    ListOptions.Append("prefer").Select(Ref).ToList(), Ok("200", SchemaId(type) + "Collection")));
                if (collectionWrites && set?.CanCreate == true)
                    item.AddOperation(HttpMethod.Post, Operation($"{label}.Create{suffix}", tag, $"Create a {type.Name}", [Ref("prefer"), Ref("idempotencyKey")],
                        Replayable(Ok("201", SchemaId(type))), Body(type)));
            }

            // Keys in parentheses everywhere; a single key also as a path segment where the surface takes that form.
            var entityPaths = new List<string>();
            foreach (var path in collectionPaths)
            {
                entityPaths.Add(path + "(" + (keys.Count == 1 ? "{" + keyParams[0].Name + "}" : string.Join(',', keyParams.Select(k => k.Property.Name + "={" + k.Name + "}"))) + ")");
                if (surface.KeyAsSegment && keys.Count == 1) entityPaths.Add(path + "/{" + keyParams[0].Name + "}");
            }
            entityPaths = entityPaths.Distinct(StringComparer.Ordinal).ToList();
            var keyParameters = keyParams.Select(k => (IOpenApiParameter)new OpenApiParameter
            {
                Name = k.Name, In = ParameterLocation.Path, Required = true, Description = $"the {k.Property.Name} of the {type.Name}",
                Schema = Primitive(k.Property.Type),
            }).ToList();
            foreach (var (path, i) in entityPaths.Select((p, i) => (p, i)))
            {
                var item = PathItem(path);
                item.Parameters = keyParameters;
                var suffix = i == 0 ? "" : "-" + i;
                item.AddOperation(HttpMethod.Get, Operation($"{label}.Get{suffix}", tag, $"Get a {type.Name}", [Ref("select"), Ref("expand")], Ok("200", SchemaId(type))));
                if (set?.CanUpdate == true)
                    item.AddOperation(HttpMethod.Patch, Operation($"{label}.Update{suffix}", tag, $"Update a {type.Name}", [Ref("ifMatch"), Ref("prefer"), Ref("idempotencyKey")], Replayable(Ok("200", SchemaId(type))), Body(type)));
                if (set?.CanDelete == true)
                    item.AddOperation(HttpMethod.Delete, Operation($"{label}.Delete{suffix}", tag, $"Delete a {type.Name}", [Ref("ifMatch")], NoContent()));

                foreach (var action in surface.Model.FindBoundOperations(type).OfType<IEdmAction>())
                {
                    var actionItem = PathItem(path + "/" + action.FullName());
                    actionItem.Parameters = keyParameters;
                    actionItem.AddOperation(HttpMethod.Post, Operation($"{label}.{action.Name}{suffix}", tag, $"{action.Name} the {type.Name}", [Ref("idempotencyKey")], Replayable(NoContent())));
                }
                foreach (var nav in type.NavigationProperties())
                {
                    var target = nav.ToEntityType();
                    if (chain.Contains(target.Name) || target.Name == type.Name) continue;
                    if (nav.Type.IsCollection())
                    {
                        if (i == 0) AddPaths(target, nav.Name, entityPaths, chain.Append(label).ToList(), collectionWrites: true);
                    }
                    else
                    {
                        var navItem = PathItem(path + "/" + nav.Name);
                        navItem.Parameters = keyParameters;
                        navItem.AddOperation(HttpMethod.Get, Operation($"{label}.{nav.Name}{suffix}", EntitySetName(target), $"Get the {nav.Name} of a {type.Name}",
                            [Ref("select"), Ref("expand")], Ok("200", SchemaId(target))));
                    }
                }
            }
        }

        private string EntitySetName(IEdmEntityType type) => _setsByType.TryGetValue(type.Name, out var s) ? s.Name : type.Name;

        private OpenApiPathItem PathItem(string path)
        {
            if (doc.Paths.TryGetValue(path, out var existing)) return (OpenApiPathItem)existing;
            var item = new OpenApiPathItem();
            doc.Paths[path] = item;
            return item;
        }

        private IOpenApiParameter Ref(string name) => new OpenApiParameterReference(name, doc);

        private OpenApiOperation Operation(string id, string tag, string summary, IList<IOpenApiParameter> parameters, OpenApiResponses responses, OpenApiRequestBody? body = null)
        {
            var unique = id;
            for (var n = 2; !_operationIds.Add(unique); n++) unique = id + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            responses["default"] = new OpenApiResponseReference("error", doc);
            Tags.Add(tag);
            return new OpenApiOperation
            {
                OperationId = unique, Summary = summary, Parameters = parameters, Responses = responses, RequestBody = body,
                Tags = new HashSet<OpenApiTagReference> { new(tag, doc) },
            };
        }

        private OpenApiResponses Ok(string status, string schemaId) => new()
        {
            [status] = new OpenApiResponse
            {
                Description = status == "201" ? "Created" : "OK",
                Content = new Dictionary<string, IOpenApiMediaType> { [Json] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(schemaId, doc) } },
            },
        };

        /// <summary>The answers of an operation that takes an Idempotency-Key: each success may be a replay.</summary>
        private OpenApiResponses Replayable(OpenApiResponses responses)
        {
            foreach (var (status, response) in responses)
                if (status.StartsWith('2') && response is OpenApiResponse r)
                {
                    r.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal);
                    r.Headers[IdempotentReplayed] = new OpenApiHeaderReference("idempotentReplayed", doc);
                }
            return responses;
        }

        private const string IdempotentReplayed = Features.Idempotency.IdempotencyMiddleware.ReplayedHeader;

        private static OpenApiResponses NoContent() => new() { ["204"] = new OpenApiResponse { Description = "No Content" } };

        private OpenApiRequestBody Body(IEdmEntityType type) => new()
        {
            Required = true,
            Content = new Dictionary<string, IOpenApiMediaType> { [Json] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(SchemaId(type), doc) } },
        };
    }

    private static string OrDefault(this string s, string fallback) => s.Length > 0 ? s : fallback;
}
