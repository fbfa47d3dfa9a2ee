using System.Buffers;
using System.Text.Json;

namespace PaymentJournal.OData;

/// <summary>A response being built: status, headers and a JSON body in a buffer, so that $batch can embed it.</summary>
public sealed class ResponseBuilder
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    public int Status { get; set; } = 200;
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ArrayBufferWriter<byte> Body { get; } = new(1024);
    public string? ContentType { get; set; }

    public Utf8JsonWriter StartJson()
    {
        ContentType = "application/json; odata.metadata=minimal; odata.streaming=true";
        Headers["OData-Version"] = "4.0";
        return new Utf8JsonWriter(Body, WriterOptions);
    }

    public void NoContent()
    {
        Status = 204;
        Body.Clear();
        ContentType = null;
    }
}
