using System.Text.Json;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>Renders the service's one error body: {"error":{"code","message"}}, the message ending in the correlation id.</summary>
public static class ErrorWriter
{
    public const string CorrelationHeader = "ms-correlation-x";

    public static void Write(ResponseBuilder response, ApiException error, string correlationId)
    {
        response.Body.Clear();
        response.Headers.Clear();
        response.Status = error.Status;
        if (error.Headers is not null)
            foreach (var (k, v) in error.Headers) response.Headers[k] = v;
        response.Headers[CorrelationHeader] = correlationId;
        response.Format = JsonFormat.Default;
        using var w = response.StartJson();
        response.ContentType = "application/json; charset=utf-8";
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", error.Code);
        // A message may quote a malformed request: it must still be writable.
        w.WriteString("message", WellFormed.Scrub(error.Message) + "  CorrelationId:  " + correlationId + ".");
        if (error.Details is { Count: > 0 })
        {
            w.WriteStartArray("details");
            foreach (var d in error.Details)
            {
                w.WriteStartObject();
                w.WriteString("code", d.Code);
                w.WriteString("message", WellFormed.Scrub(d.Message));
                if (d.Target is not null) w.WriteString("target", WellFormed.Scrub(d.Target));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Anything not foreseen: a 500 that says nothing about the internals (they go to the log).</summary>
    public static ApiException Unexpected() =>
        new(500, "Internal_ServerError", "An unexpected error occurred. The request was not completed.");
}
