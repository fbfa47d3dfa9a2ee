using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Auth;

/// <summary>What authenticating a request came to: access, a 401 (no or bad credential) or a 403 (valid, without the right).</summary>
public sealed record AuthOutcome(CompanyAccess? Access, ApiException? Error, string? LogReason)
{
    public static AuthOutcome Allow(CompanyAccess access) => new(access, null, null);

    public static AuthOutcome Deny(string message, string logReason, string challenge) =>
        new(null, ApiErrors.Unauthorized(message, challenge), logReason);

    public static AuthOutcome Forbid(string principal, string message) =>
        new(null, ApiErrors.Forbidden(message), "forbidden for " + principal);
}
