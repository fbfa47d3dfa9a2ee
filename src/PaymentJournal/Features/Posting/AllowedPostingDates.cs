using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Posting;

/// <summary>The company's range of allowed posting dates (allowPostingFrom..allowPostingTo; either end may be open).</summary>
internal static class AllowedPostingDates
{
    public static bool Allow(Company company, DateOnly date) =>
        !(company.AllowPostingFrom is { } from && date < from) && !(company.AllowPostingTo is { } to && date > to);

    /// <summary>The range as the refusals state it: "2024-01-01 to 2030-12-31", an open end as "open".</summary>
    public static string Range(Company company) =>
        $"{(company.AllowPostingFrom is { } from ? Wire.Date(from) : "open")} to {(company.AllowPostingTo is { } to ? Wire.Date(to) : "open")}";
}
