using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>$batch (JSON and multipart); lands with the OData protocol issue.</summary>
public sealed class BatchHandler
{
    public Task HandleAsync(RequestContext rc, IReadOnlyDictionary<string, string> query, ResponseBuilder response, ODataEndpoint endpoint) =>
        throw ApiErrors.NotSupported("$batch");
}
