using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Webhooks;

/// <summary>
/// The subscriptions entity set, at the root of v2.0 and of each API group (not under a company: the company is part of
/// the resource). Create and renew run the validation handshake first; PATCH and DELETE need If-Match.
/// </summary>
public sealed class SubscriptionsEndpoint(WebhookStore store, SubscriptionRegistry registry, NotificationClient client, WebhookOptions options,
    CompanyDirectory companies, Catalog catalog, ILogger<SubscriptionsEndpoint> log) : IRootResource
{
    public const string Name = "subscriptions";
    public const int MaxIdLength = 150;
    public const int MaxClientStateLength = 2048;
    public const int MaxUrlLength = 2048;

    /// <summary>Sets whose keys are composite or whose rows are not stored (as Business Central, they cannot be subscribed to).</summary>
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal) { "companies", "dimensionSetLines", "ledgerEntryDimensionSetLines" };

    private static readonly string[] Writable = ["subscriptionId", "notificationUrl", "resource", "clientState"];

    public bool Handles(Surface surface, string rest) =>
        !surface.IsGraph && (rest == Name || rest.StartsWith(Name + "(", StringComparison.Ordinal));

    /// <summary>The API a surface's subscriptions belong to: v2.0, or paymentjournal/{group}/{version}.</summary>
    public static string Api(Surface surface) => surface.Group is { } g ? $"{ApiGroup.Publisher}/{g.Name}/{g.Version}" : "v2.0";

    public async Task HandleAsync(RequestContext rc, string rest, IReadOnlyDictionary<string, string> query, ResponseBuilder response)
    {
        foreach (var name in query.Keys)
            if (name.StartsWith('$') && name is not "$schemaversion" and not "$format")
                throw ApiErrors.QueryOption($"The query option '{ApiErrors.Echo(name)}' is not supported on subscriptions.");
        string? id = null;
        if (rest != Name)
        {
            if (rest[^1] != ')') throw ApiErrors.ResourceNotFound(rest);
            id = Unquote(WellFormed.Unescape(rest[(Name.Length + 1)..^1], "URL path"));
            if (id.Length is 0 or > MaxIdLength) throw ApiErrors.SubscriptionNotFound(id);
        }
        var method = rc.Method;
        if (method != "GET")
        {
            if (!rc.Access.CanWrite) throw ApiErrors.Forbidden("The credential allows reading only.");
            // Here, only a member of an atomic $batch group runs in a write unit.
            if (rc.InWriteUnit) throw ApiErrors.BadRequest("Subscriptions cannot be changed inside an atomic $batch group: their handshake is not part of a transaction.");
        }
        if (id is null)
        {
            if (method == "GET") { await ListAsync(rc, response); return; }
            if (method == "POST") { await CreateAsync(rc, response); return; }
            throw ApiErrors.MethodNotAllowed(method, Name, "GET, HEAD, POST");
        }
        var sub = await store.FindAsync(id, rc.Aborted);
        if (sub is null || !Visible(rc, sub)) throw ApiErrors.SubscriptionNotFound(id);
        switch (method)
        {
            case "GET":
                Write(rc, response, sub, single: true);
                return;
            case "PATCH":
                await RenewAsync(rc, response, sub);
                return;
            case "DELETE":
                await DeleteAsync(rc, response, sub);
                return;
            default:
                throw ApiErrors.MethodNotAllowed(method, Name, "GET, HEAD, PATCH, DELETE");
        }
    }

    private static bool Visible(RequestContext rc, Subscription s) => s.Api == Api(rc.Surface) && rc.Access.Allows(s.CompanyId);

    private async Task ListAsync(RequestContext rc, ResponseBuilder response)
    {
        var all = (await store.AllAsync(rc.Aborted)).Where(s => Visible(rc, s) && s.ExpiresAt > store.Now()).ToList();
        using var w = response.StartJson();
        w.WriteStartObject();
        if (rc.Format.Metadata != MetadataLevel.None) w.WriteString("@odata.context", rc.ServiceRoot + "$metadata#" + Name);
        w.WriteStartArray("value");
        foreach (var s in all) WriteEntity(w, rc, s);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private async Task CreateAsync(RequestContext rc, ResponseBuilder response)
    {
        var body = ParseBody(rc);
        if (!body.TryGetValue("notificationUrl", out var url) || url.Length == 0) throw ApiErrors.BadRequest("The subscription needs a notificationUrl.");
        if (!body.TryGetValue("resource", out var resource) || resource.Length == 0) throw ApiErrors.BadRequest("The subscription needs a resource.");
        var clientState = body.GetValueOrDefault("clientState") ?? "";
        var id = body.GetValueOrDefault("subscriptionId") is { Length: > 0 } given ? given : Guid.NewGuid().ToString("N");
        var target = await ResolveAsync(rc, resource);
        await CheckUrlAsync(url, rc.Aborted);
        if (await CountAsync(rc.Aborted) >= options.MaxSubscriptions) throw ApiErrors.TooManySubscriptions(options.MaxSubscriptions);
        await HandshakeAsync(url, clientState, rc.Aborted);

        var now = store.Now();
        var user = UserId(rc.Access).ToString("D");
        var sub = new Subscription
        {
            Id = id, Api = Api(rc.Surface), NotificationUrl = url, Resource = resource.TrimEnd('/'), ClientState = clientState,
            CompanyId = target.Company, EntitySet = target.Set, ParentNav = target.ParentNav, ParentId = target.ParentId, UserId = UserId(rc.Access),
            Version = 1, CreatedAt = now, ModifiedAt = now, ExpiresAt = now + (long)options.Lifetime.TotalMilliseconds,
        };
        var outcome = await store.WriteAsync(async db =>
        {
            var count = await WebhookStore.QueryAsync(db, "SELECT COUNT(*) FROM webhook_subscriptions", r => r.GetInt64(0), rc.Aborted);
            if (count[0] >= options.MaxSubscriptions) return 1;
            var exists = await WebhookStore.QueryAsync(db, "SELECT 1 FROM webhook_subscriptions WHERE id = @p0", r => 1, rc.Aborted, id);
            if (exists.Count > 0) return 2;
            await WebhookStore.ExecuteAsync(db,
                "INSERT INTO webhook_subscriptions (" + Subscription.Columns + ", next_attempt_at, lease_owner, lease_until) " +
                "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, 0, 0, '', 0)", rc.Aborted,
                sub.Id, sub.Api, sub.NotificationUrl, sub.Resource, sub.ClientState, sub.CompanyId.ToString("D"), sub.EntitySet, sub.ParentNav,
                WebhookStore.Text(sub.ParentId), user, sub.Version, sub.CreatedAt, sub.ModifiedAt, sub.ExpiresAt);
            return 0;
        }, rc.Aborted);
        if (outcome == 1) throw ApiErrors.TooManySubscriptions(options.MaxSubscriptions);
        if (outcome == 2) throw ApiErrors.SameKeyExists("API Webhook Subscription", "subscriptionId='" + ApiErrors.Echo(id) + "'");
        log.LogInformation("Subscription {SubscriptionId} created for {Resource}, notifying {NotificationUrl}", sub.Id, sub.Resource, NotificationClient.ForLog(url));
        await registry.ReloadAsync(CancellationToken.None);
        response.Status = 201;
        response.Headers["Location"] = rc.ServiceRoot + Name + "('" + Uri.EscapeDataString(sub.Id) + "')";
        Write(rc, response, sub, single: true);
    }

    private async Task RenewAsync(RequestContext rc, ResponseBuilder response, Subscription sub)
    {
        CheckIfMatch(rc, sub);
        var body = ParseBody(rc);
        if (body.TryGetValue("subscriptionId", out var newId) && newId != sub.Id) throw ApiErrors.BadRequest("The subscriptionId of a subscription cannot be changed.");
        if (body.TryGetValue("resource", out var resource) && resource.TrimEnd('/') != sub.Resource)
            throw ApiErrors.BadRequest("The resource of a subscription cannot be changed; delete it and create a new one.");
        var url = body.GetValueOrDefault("notificationUrl") is { Length: > 0 } u ? u : sub.NotificationUrl;
        var clientState = body.GetValueOrDefault("clientState") ?? sub.ClientState;
        await CheckUrlAsync(url, rc.Aborted);
        // A renewal validates the URL again, as a create does.
        await HandshakeAsync(url, clientState, rc.Aborted);
        var now = store.Now();
        var renewed = sub with
        {
            NotificationUrl = url, ClientState = clientState, Version = sub.Version + 1, ModifiedAt = now,
            ExpiresAt = now + (long)options.Lifetime.TotalMilliseconds,
        };
        var changed = await store.WriteAsync(db => WebhookStore.ExecuteAsync(db,
            "UPDATE webhook_subscriptions SET notification_url = @p0, client_state = @p1, version = @p2, modified_at = @p3, expires_at = @p4 " +
            "WHERE id = @p5 AND version = @p6", rc.Aborted,
            renewed.NotificationUrl, renewed.ClientState, renewed.Version, renewed.ModifiedAt, renewed.ExpiresAt, sub.Id, sub.Version), rc.Aborted);
        if (changed == 0) throw ApiErrors.EntityChanged();
        await registry.ReloadAsync(CancellationToken.None);
        Write(rc, response, renewed, single: true);
    }

    private async Task DeleteAsync(RequestContext rc, ResponseBuilder response, Subscription sub)
    {
        CheckIfMatch(rc, sub);
        var deleted = await store.WriteAsync(async db =>
        {
            var n = await WebhookStore.ExecuteAsync(db, "DELETE FROM webhook_subscriptions WHERE id = @p0 AND version = @p1", rc.Aborted, sub.Id, sub.Version);
            if (n > 0) await WebhookStore.ExecuteAsync(db, "DELETE FROM webhook_outbox WHERE subscription_id = @p0", rc.Aborted, sub.Id);
            return n;
        }, rc.Aborted);
        if (deleted == 0) throw ApiErrors.EntityChanged();
        await registry.ReloadAsync(CancellationToken.None);
        response.NoContent();
    }

    private static void CheckIfMatch(RequestContext rc, Subscription sub)
    {
        var ifMatch = rc.Header("If-Match");
        if (string.IsNullOrWhiteSpace(ifMatch)) throw ApiErrors.MissingIfMatch();
        foreach (var raw in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (raw == "*" || raw == sub.ETag || raw == sub.ETag[2..]) return;
        throw ApiErrors.EntityChanged();
    }

    private async Task CheckUrlAsync(string url, CancellationToken ct)
    {
        if (url.Length > MaxUrlLength) throw ApiErrors.NotificationUrl($"The notificationUrl is longer than {MaxUrlLength} characters.");
        if (await client.RefusalAsync(url, ct) is { } why) throw ApiErrors.NotificationUrl(why);
    }

    private async Task HandshakeAsync(string url, string clientState, CancellationToken ct)
    {
        if (await client.HandshakeAsync(url, clientState, ct) is { } why)
        {
            log.LogInformation("Subscription handshake with {NotificationUrl} failed: {Reason}", NotificationClient.ForLog(url), why);
            throw ApiErrors.SubscriptionValidationFailed(why);
        }
    }

    private Task<long> CountAsync(CancellationToken ct) =>
        store.ReadAsync(async db => (await WebhookStore.QueryAsync(db, "SELECT COUNT(*) FROM webhook_subscriptions", r => r.GetInt64(0), ct))[0]);

    /// <summary>The writable properties of the body as strings; read-only and unknown ones are refused.</summary>
    private static Dictionary<string, string> ParseBody(RequestContext rc)
    {
        var ct = rc.Header("Content-Type");
        if (ct is not null && !ct.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
            throw ApiErrors.UnsupportedMediaType(ct.Split(';')[0].Trim());
        if (rc.Body.IsEmpty) throw ApiErrors.BadRequest("The request needs a JSON body.");
        using var doc = WellFormed.ParseJson(rc.Body, default);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw ApiErrors.BadRequest("The body must be a JSON object.");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name.StartsWith("@odata.", StringComparison.Ordinal)) continue;
            if (!Writable.Contains(p.Name))
            {
                if (SubscriptionModel.Properties.Any(f => f.Name == p.Name)) throw ApiErrors.BadRequest($"The property '{p.Name}' is read-only.");
                throw ApiErrors.BadRequest($"The property '{ApiErrors.Echo(p.Name)}' does not exist on type 'Microsoft.NAV.subscription'.");
            }
            if (p.Value.ValueKind == JsonValueKind.Null) continue;
            if (p.Value.ValueKind != JsonValueKind.String) throw ApiErrors.BadRequest($"The property '{p.Name}' must be a string.");
            var value = p.Value.GetString()!;
            var max = p.Name switch { "clientState" => MaxClientStateLength, "subscriptionId" => MaxIdLength, _ => MaxUrlLength };
            if (value.Length > max) throw ApiErrors.BadRequest($"The property '{p.Name}' is longer than {max} characters.");
            result[p.Name] = value;
        }
        return result;
    }

    /// <summary>What a resource names: a company-level set, or a sub-page of one entity (a journal's lines).</summary>
    public sealed record Target(Guid Company, string Set, string ParentNav, Guid ParentId);

    private async Task<Target> ResolveAsync(RequestContext rc, string resource)
    {
        var api = Api(rc.Surface);
        var path = resource.Trim();
        if (path.Contains('?') || path.Contains('#')) throw ApiErrors.SubscriptionResource(resource, "it must not have a query or fragment.");
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps))
            path = Uri.UnescapeDataString(absolute.AbsolutePath);
        else path = Uri.UnescapeDataString(path);
        path = path.Trim('/');
        var marker = "api/" + api + "/";
        var at = path.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0) path = path[(at + marker.Length)..];
        else if (path.StartsWith("api/", StringComparison.Ordinal) || path.Contains("/api/", StringComparison.Ordinal))
            throw ApiErrors.SubscriptionResource(resource, $"it is not on this API; subscribe at the subscriptions of the API it belongs to (this one is api/{api}/).");
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is not (2 or 3) || !TryKeyed(segments[0], out var companiesName, out var companyText) || companiesName != catalog.Companies.Name
            || !Guid.TryParse(companyText, out var company))
            throw ApiErrors.SubscriptionResource(resource, "write companies({id})/{entitySet}, relative to the API or as an absolute URL.");
        if (!rc.Access.Allows(company) || !await companies.ExistsAsync(rc.Db, company, rc.Aborted)) throw ApiErrors.RecordNotFound("company", company);
        if (segments.Length == 2)
        {
            var name = segments[1];
            if (catalog.CompanySet(name, rc.Surface) is not { } set || Unsupported.Contains(name) || set.ParentKey is not null)
                throw ApiErrors.SubscriptionResource(resource, $"'{ApiErrors.Echo(name)}' is not an entity set of this API that supports webhooks.");
            return new Target(company, set.Name, "", Guid.Empty);
        }
        if (!TryKeyed(segments[1], out var parentName, out var parentText) || !Guid.TryParse(parentText, out var parentId)
            || catalog.CompanySet(parentName, rc.Surface) is not { } parentSet)
            throw ApiErrors.SubscriptionResource(resource, "write companies({id})/{entitySet} or companies({id})/{entitySet}({id})/{subPage}.");
        var nav = parentSet.FindNavigation(segments[2], rc.Surface.Kind);
        if (nav is null || !nav.IsCollection || nav.ChildForeignKey is null || !rc.Surface.Serves(nav) || Unsupported.Contains(nav.TargetSet)
            || catalog.Set(nav.TargetSet).ParentKey is not null)
            throw ApiErrors.SubscriptionResource(resource, $"'{ApiErrors.Echo(segments[2])}' is not a sub-page of {parentName} that supports webhooks.");
        if (await parentSet.FindAsync(rc, new Scope(company), parentId, readOnly: true) is null) throw ApiErrors.RecordNotFound(parentSet.TypeName, parentId);
        return new Target(company, nav.TargetSet, nav.Name, parentId);
    }

    private static bool TryKeyed(string segment, out string name, out string key)
    {
        var open = segment.IndexOf('(');
        if (open <= 0 || segment[^1] != ')') { name = key = ""; return false; }
        name = segment[..open];
        key = Unquote(segment[(open + 1)..^1]);
        return true;
    }

    private static string Unquote(string s)
    {
        if (s.StartsWith('{') && s.EndsWith('}')) s = s[1..^1];
        return s.Length >= 2 && s[0] == '\'' && s[^1] == '\'' ? s[1..^1].Replace("''", "'", StringComparison.Ordinal) : s;
    }

    /// <summary>The GUID that stands for the credential (Business Central's user id); empty without authentication.</summary>
    public static Guid UserId(CompanyAccess access)
    {
        if (access.Principal is null) return Guid.Empty;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes((access.Issuer ?? "") + "\n" + access.Principal));
        return new Guid(hash.AsSpan(0, 16));
    }

    private void Write(RequestContext rc, ResponseBuilder response, Subscription s, bool single)
    {
        using var w = response.StartJson();
        if (single && rc.Format.Metadata != MetadataLevel.None)
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", rc.ServiceRoot + "$metadata#" + Name + "/$entity");
            WriteProperties(w, rc, s);
            w.WriteEndObject();
        }
        else WriteEntity(w, rc, s);
        response.Headers["ETag"] = s.ETag;
    }

    private static void WriteEntity(Utf8JsonWriter w, RequestContext rc, Subscription s)
    {
        w.WriteStartObject();
        WriteProperties(w, rc, s);
        w.WriteEndObject();
    }

    private static void WriteProperties(Utf8JsonWriter w, RequestContext rc, Subscription s)
    {
        if (rc.Format.Metadata != MetadataLevel.None) w.WriteString("@odata.etag", s.ETag);
        w.WriteString("subscriptionId", s.Id);
        w.WriteString("notificationUrl", s.NotificationUrl);
        w.WriteString("resource", s.Resource);
        if (rc.Format.Ieee754) w.WriteString("timestamp", s.Version.ToString(CultureInfo.InvariantCulture));
        else w.WriteNumber("timestamp", s.Version);
        w.WriteString("userId", s.UserId.ToString("D"));
        w.WriteString("lastModifiedDateTime", Time(s.ModifiedAt));
        w.WriteString("clientState", s.ClientState);
        w.WriteString("expirationDateTime", Time(s.ExpiresAt));
        w.WriteString("systemCreatedAt", Time(s.CreatedAt));
        w.WriteString("systemCreatedBy", s.UserId.ToString("D"));
        w.WriteString("systemModifiedAt", Time(s.ModifiedAt));
        w.WriteString("systemModifiedBy", s.UserId.ToString("D"));
    }

    public static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
