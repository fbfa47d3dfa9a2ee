using PaymentJournal.Errors;

namespace PaymentJournal.Features.Posting;

/// <summary>The amount of an invoice line, as sales and purchase lines compute it (no tax, no discounts).</summary>
public static class LineAmount
{
    /// <summary>
    /// Quantity has 5 decimals, the unit price or cost 2: the amount in cents is their product / 10^5, rounded half away
    /// from zero. Dividing first keeps the product inside decimal's range for any stored quantity and price.
    /// </summary>
    public static long Of(long quantity, long unitPrice)
    {
        var amount = Math.Round(quantity / 100000m * unitPrice, 0, MidpointRounding.AwayFromZero);
        if (amount > 1_000_000_000_000m) throw ApiErrors.FieldValidation("The line amount is out of range.");
        return (long)amount;
    }
}
