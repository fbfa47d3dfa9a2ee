namespace PaymentJournal.Errors;

/// <summary>
/// The error catalogue: one method per error code the real Business Central API returns
/// (dev-itpro/webservices/dynamics-error-codes), with the status code we answer it with.
/// </summary>
public static class ApiErrors
{
    public static ApiException NotFound(string what) =>
        new(404, "Internal_RecordNotFound", $"The {what} does not exist. Identification fields and values: the key in the URL.");

    public static ApiException RecordNotFound(string entity, Guid id) =>
        new(404, "Internal_RecordNotFound", $"The {entity} with id '{id:D}' does not exist.");

    public static ApiException ResourceNotFound(string segment) =>
        new(404, "BadRequest_ResourceNotFound", $"No HTTP resource was found that matches the request URI segment '{Echo(segment)}'.");

    public static ApiException MethodNotAllowed(string method, string what, string allow) =>
        new(405, "BadRequest_MethodNotAllowed", $"'{method}' requests for '{what}' are not allowed.")
        { Headers = new() { ["Allow"] = allow } };

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException InvalidJson(string detail) =>
        new(400, "BadRequest", $"The request body is not valid JSON: {detail}");

    public static ApiException UnknownProperty(string property, string type) =>
        new(400, "BadRequest", $"The property '{property}' does not exist on type '{type}'. Make sure to only use property names that are defined by the type.");

    public static ApiException WrongType(string property, string expected) =>
        new(400, "BadRequest", $"Cannot convert the literal for property '{property}' to the expected type '{expected}'.");

    public static ApiException InvalidGuid(string property, string value) =>
        new(400, "Application_InvalidGUID", $"The value '{Echo(value)}' of '{property}' is not a valid GUID.");

    public static ApiException StringTooLong(string property, int length, int max) =>
        new(400, "Application_StringExceededLength",
            $"The length of the string for '{property}' is {length}, but it must be less than or equal to {max} characters.");

    public static ApiException ReadOnly(string property) =>
        new(400, "BadRequest_InvalidOperation", $"The property '{property}' is read-only and cannot be written.");

    public static ApiException Dialog(string message) => new(400, "Application_DialogException", message);

    public static ApiException FieldValidation(string message) => new(400, "Application_FieldValidationException", message);

    public static ApiException InvalidOption(string property, string value, string allowed) =>
        new(400, "Application_EvaluateException", $"The value '{Echo(value)}' is not valid for '{property}'. Allowed values: {allowed}.");

    public static ApiException MissingIfMatch() =>
        new(400, "BadRequest_InvalidToken", "Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.");

    public static ApiException BadETag() =>
        new(400, "BadRequest_InvalidToken", "The If-Match header does not hold a valid entity tag.");

    public static ApiException EntityChanged() =>
        new(409, "Request_EntityChanged", "Another user has already changed the record.");

    public static ApiException SameKeyExists(string entity, string key) =>
        new(409, "Internal_EntityWithSameKeyExists", $"The record in table {entity} already exists. Identification fields and values: {key}");

    public static ApiException NotSupported(string what) =>
        new(400, "BadRequest_NotSupported", $"{what} is not supported.");

    public static ApiException QueryOption(string message) => new(400, "BadRequest_InvalidQueryOption", message);

    public static ApiException UnsupportedMediaType(string? contentType) =>
        new(415, "BadRequest_UnsupportedMediaType", $"The content type '{Echo(contentType ?? "")}' is not supported. Use 'application/json'.");

    public static ApiException PayloadTooLarge(long max) =>
        new(413, "BadRequest_RequestTooLarge", $"The request body is larger than the limit of {max} bytes.");

    public static ApiException Unauthorized(string message) =>
        new(401, "Authentication_InvalidCredentials", message) { Headers = new() { ["WWW-Authenticate"] = "Bearer, Basic realm=\"PaymentJournal\"" } };

    /// <summary>A 401 with the challenge of the configured scheme (RFC 7235, section 4.1; RFC 6750, section 3 for bearer tokens).</summary>
    public static ApiException Unauthorized(string message, string challenge) =>
        new(401, "Authentication_InvalidCredentials", message) { Headers = new() { ["WWW-Authenticate"] = challenge } };

    /// <summary>Business Central answers 408 when an operation runs past its limit (8 minutes online).</summary>
    public static ApiException RequestTimeout(int seconds) =>
        new(408, "Request_Timeout", $"The request did not complete within {seconds} seconds and was cancelled.");

    public static ApiException Forbidden(string message) => new(403, "Authorization_Forbidden", message);

    public static ApiException TooManyRequests(int retryAfterSeconds) =>
        new(429, "Request_TooManyRequests", "The request was throttled: too many requests for this credential.") { Headers = RetryAfter(retryAfterSeconds) };

    public static ApiException TooManyFailedAuthentications(int retryAfterSeconds) =>
        new(429, "Request_TooManyRequests", "Too many requests with credentials that were not valid came from this address; try again later.")
        { Headers = RetryAfter(retryAfterSeconds) };

    private static Dictionary<string, string> RetryAfter(int seconds) =>
        new() { ["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    public static ApiException InvalidIdempotencyKey() =>
        new(400, "BadRequest_InvalidIdempotencyKey", "The Idempotency-Key header must be one value of 1 to 255 printable ASCII characters.");

    public static ApiException IdempotencyKeyReused(string key) =>
        new(422, "BadRequest_IdempotencyKeyReused",
            $"The Idempotency-Key '{key}' was used before with a different request (method, URL, body or headers) by this credential for this company. Use a new key for a new request.");

    public static ApiException IdempotencyKeyInUse(string key) =>
        new(409, "Request_IdempotencyKeyInUse", $"A request with the Idempotency-Key '{key}' is still running; send it again once that one has been answered.")
        { Headers = RetryAfter(1) };

    public static ApiException IdempotencyOutcomeUnknown(string key) =>
        new(409, "Request_IdempotencyOutcomeUnknown",
            $"A request with the Idempotency-Key '{key}' was started, but its answer was never recorded (the service stopped or lost its database while running it), so it may or may not have been carried out. Read the data back before sending the request again with a new key; this key stays taken until it expires.");

    /// <summary>Seconds a client should wait before trying again after a database fault.</summary>
    public const int DatabaseRetryAfterSeconds = 5;

    /// <summary>
    /// The database is down, read-only or full: 503 (507 for a full disk) with Retry-After, saying what is wrong and
    /// whether the write may have been saved.
    /// </summary>
    public static ApiException DatabaseFull() => DatabaseFault(507, "Internal_DatabaseFull",
        "The database's disk is full, so nothing can be written until space is freed. The request was not completed.");

    public static ApiException DatabaseReadOnly() => DatabaseFault(503, "Internal_DatabaseReadOnly",
        "The database can be read but not written at the moment. The request was not completed; try again later.");

    public static ApiException DatabaseCommitUnknown() => DatabaseFault(503, "Internal_DatabaseCommitUnknown",
        "The connection to the database was lost while the write was being committed: it may or may not have been saved. Read it back before trying again.");

    public static ApiException DatabaseUnavailable() => DatabaseFault(503, "Internal_DatabaseUnavailable",
        "The database cannot be reached or has no connection free at the moment. The request was not completed; try again later.");

    private static ApiException DatabaseFault(int status, string code, string message) =>
        new(status, code, message) { Headers = RetryAfter(DatabaseRetryAfterSeconds) };

    // Webhooks (subscriptions). Business Central documents no codes for these; ours say what failed.
    public static ApiException SubscriptionResource(string resource, string why) =>
        new(400, "BadRequest_InvalidSubscriptionResource", $"The resource '{Echo(resource)}' cannot be subscribed to: {why}");

    public static ApiException NotificationUrl(string why) => new(400, "BadRequest_InvalidNotificationUrl", why);

    public static ApiException SubscriptionValidationFailed(string why) =>
        new(400, "BadRequest_SubscriptionValidationFailed", $"The subscription was not created or renewed: the notification URL did not pass the validation handshake ({why}). " +
            "It must answer a POST with the validationToken query parameter with status 200 and the token as the body.");

    public static ApiException TooManySubscriptions(int max) =>
        new(400, "BadRequest_TooManySubscriptions", $"The service has {max} subscriptions, its limit (Webhooks:MaxSubscriptions); delete one first.");

    public static ApiException SubscriptionNotFound(string id) =>
        new(404, "Internal_RecordNotFound", $"The subscription with id '{Echo(id)}' does not exist.");

    /// <summary>The longest piece of the request an error message repeats whole.</summary>
    public const int MaxEcho = 1000;

    /// <summary>
    /// A piece of the request repeated in an error message: whole up to <see cref="MaxEcho"/> characters, longer ones cut
    /// there with a marker that says so. The service's own text is never cut.
    /// </summary>
    public static string Echo(string value)
    {
        if (value.Length <= MaxEcho) return value;
        var cut = char.IsHighSurrogate(value[MaxEcho - 1]) ? MaxEcho - 1 : MaxEcho;
        return value[..cut] + $"[... cut here: {value.Length} characters in all]";
    }
}
