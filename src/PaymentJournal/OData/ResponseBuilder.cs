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

    /// <summary>The JSON format of the answer (its Content-Type parameters); errors are always written in the default one.</summary>
    public JsonFormat Format { get; set; } = JsonFormat.Default;

    public Utf8JsonWriter StartJson()
    {
        ContentType = Format.ContentType;
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
