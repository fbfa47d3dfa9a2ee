// A minimal webhook receiver: answers the validation handshake and prints every notification.
// Run: dotnet run --project samples/webhook-receiver [-- --urls http://localhost:5090] [--ClientState your-secret]
using System.Text.Json;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://localhost:5090");
var app = builder.Build();
var expectedState = app.Configuration["ClientState"];

app.MapPost("/hook", async (HttpContext http) =>
{
    // 1. The handshake: echo validationToken as plain text, status 200, within 5 seconds.
    var token = http.Request.Query["validationToken"].ToString();
    if (token.Length > 0)
    {
        Console.WriteLine("handshake: answering the validation token");
        return Results.Text(token, "text/plain");
    }

    // 2. A notification: {"value":[{subscriptionId, clientState, expirationDateTime, resource, changeType, lastModifiedDateTime}]}.
    using var doc = await JsonDocument.ParseAsync(http.Request.Body);
    foreach (var n in doc.RootElement.GetProperty("value").EnumerateArray())
    {
        // clientState is the secret given when subscribing: refuse what does not carry it.
        if (expectedState is not null && n.GetProperty("clientState").GetString() != expectedState) return Results.Unauthorized();
        Console.WriteLine($"{n.GetProperty("changeType").GetString(),-10} {n.GetProperty("resource").GetString()} " +
                          $"(at {n.GetProperty("lastModifiedDateTime").GetString()}, subscription {n.GetProperty("subscriptionId").GetString()})");
    }
    // Any 2xx acknowledges; 5xx, 408 and 429 make the service retry later; 410 Gone ends the subscription.
    return Results.Ok();
});

app.Run();
