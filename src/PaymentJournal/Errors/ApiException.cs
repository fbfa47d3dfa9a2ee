namespace PaymentJournal.Errors;

/// <summary>
/// An error the client caused or must see. The handler renders it as the OData error body
/// {"error":{"code","message"}}; nothing else in the service writes error bodies.
/// </summary>
public sealed class ApiException(int status, string code, string message, IReadOnlyList<ApiErrorDetail>? details = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public IReadOnlyList<ApiErrorDetail>? Details { get; } = details;

    /// <summary>Extra response headers (WWW-Authenticate, Retry-After, Allow).</summary>
    public Dictionary<string, string>? Headers { get; init; }
}

public sealed record ApiErrorDetail(string Code, string Message, string? Target = null);
