using System.Net;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Emulator;

/// <summary>
/// /emulator: put the database back to the demo state, or save and restore named snapshots, between the tests of a
/// suite that runs against the service. Only with Emulator:Enabled=true (a 404 otherwise), only for loopback callers
/// (a 403 from anywhere else), and, when auth is on, only for a credential that may write to every company.
/// </summary>
public sealed class EmulatorEndpoints(EmulatorOptions options, RequestGate gate, SnapshotStore store, CompanyDirectory companies, IdempotencyRows keys,
    ILogger<EmulatorEndpoints> log)
{
    public const string Root = "/emulator";

    public static void Map(WebApplication app)
    {
        var endpoints = app.Services.GetRequiredService<EmulatorEndpoints>();
        app.Map(Root + "/{**rest}", (HttpContext http, string? rest) => endpoints.HandleAsync(http, rest ?? ""));
    }

    public async Task HandleAsync(HttpContext http, string rest)
    {
        var correlationId = Guid.NewGuid().ToString("D");
        var response = new ResponseBuilder();
        try
        {
            if (!options.Enabled)
                throw new ApiException(404, "BadRequest_ResourceNotFound", "The emulator endpoints are off; start the service with Emulator:Enabled=true to use them.");
            if (http.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
                throw ApiErrors.Forbidden("The emulator endpoints answer loopback callers only.");
            if (http.Items.TryGetValue(typeof(CompanyAccess), out var a) && a is CompanyAccess { AllCompanies: false } or CompanyAccess { CanWrite: false })
                throw ApiErrors.Forbidden("The emulator endpoints need a credential that may write to every company.");
            await RouteAsync(http, rest.TrimEnd('/').Split('/'), response);
        }
        catch (ApiException e)
        {
            ErrorWriter.Write(response, e, correlationId);
        }
        await ODataEndpoint.WriteAsync(http, response);
    }

    private async Task RouteAsync(HttpContext http, string[] parts, ResponseBuilder response)
    {
        var method = http.Request.Method.ToUpperInvariant();
        var db = http.RequestServices.GetRequiredService<AppDb>();
        var ct = http.RequestAborted;
        switch (parts)
        {
            case ["reset"]:
                Allow(method, "POST", "reset");
                await AloneAsync(db, "reset", () => store.ResetAsync(db), ct);
                response.Status = 204;
                return;
            case ["snapshots"]:
                Allow(method, "GET", "snapshots");
                await db.Database.OpenConnectionAsync(ct);
                try
                {
                    var names = await store.ListAsync(db, ct);
                    using var w = response.StartJson();
                    w.WriteStartObject();
                    w.WriteStartArray("value");
                    foreach (var n in names)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", n);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                finally
                {
                    await db.Database.CloseConnectionAsync();
                }
                return;
            case ["snapshots", var name]:
                CheckName(name);
                if (method == "POST")
                {
                    await AloneAsync(db, "snapshot " + name, () => store.SaveAsync(db, name), ct);
                    response.Status = 201;
                    response.Headers["Location"] = Root + "/snapshots/" + name;
                    using var w = response.StartJson();
                    w.WriteStartObject();
                    w.WriteString("name", name);
                    w.WriteEndObject();
                    return;
                }
                Allow(method, "DELETE", "snapshots/" + name, "POST, DELETE");
                if (!await AloneAsync(db, "delete " + name, () => store.DeleteAsync(db, name), ct)) throw NoSnapshot(name);
                response.Status = 204;
                return;
            case ["snapshots", var name, "restore"]:
                CheckName(name);
                Allow(method, "POST", "snapshots/" + name + "/restore");
                if (!await AloneAsync(db, "restore " + name, () => store.RestoreAsync(db, name), ct)) throw NoSnapshot(name);
                response.Status = 204;
                return;
            default:
                throw ApiErrors.ResourceNotFound(string.Join('/', parts));
        }
    }

    private Task AloneAsync(AppDb db, string what, Func<Task> work, CancellationToken ct) =>
        AloneAsync(db, what, async () => { await work(); return true; }, ct);

    /// <summary>
    /// Runs an operation with no request in flight, on an open connection; the company cache and the idempotency keys'
    /// index start over (a reset or restore rewrites the tables under them).
    /// </summary>
    private Task<T> AloneAsync<T>(AppDb db, string what, Func<Task<T>> work, CancellationToken ct) =>
        gate.RunAloneAsync(async () =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await db.Database.OpenConnectionAsync(CancellationToken.None);
            try
            {
                return await work();
            }
            finally
            {
                companies.Clear();
                keys.Forget();
                await db.Database.CloseConnectionAsync();
                log.LogInformation("Emulator {Operation} took {Milliseconds:F1} ms", what, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }, ct);

    private static void Allow(string method, string allowed, string what, string? allow = null)
    {
        if (method != allowed) throw ApiErrors.MethodNotAllowed(method, Root + "/" + what, allow ?? allowed);
    }

    private static void CheckName(string name)
    {
        if (!SnapshotStore.IsValidName(name))
            throw ApiErrors.BadRequest($"A snapshot name is 1 to {SnapshotStore.MaxNameLength} letters, digits, '-' or '_'.");
    }

    private static ApiException NoSnapshot(string name) =>
        new(404, "Internal_RecordNotFound", $"There is no snapshot named '{name}'.");
}
