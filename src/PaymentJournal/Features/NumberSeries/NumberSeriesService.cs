using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.Features.NumberSeries;

public static class NumberSeriesService
{
    /// <summary>
    /// Takes the next number of a series inside the caller's write transaction: the UPDATE increments in SQL
    /// (and on PostgreSQL locks the row until commit), so concurrent requests and nodes each get their own number.
    /// </summary>
    public static async Task<string> NextAsync(AppDb db, Guid seriesId, CancellationToken ct)
    {
        var updated = await db.NumberSeries.Where(s => s.Id == seriesId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastUsed, s => s.LastUsed + 1), ct);
        if (updated == 0) throw ApiErrors.FieldValidation("The number series of the journal does not exist.");
        var series = await db.NumberSeries.AsNoTracking().FirstAsync(s => s.Id == seriesId, ct);
        var number = series.Format(series.LastUsed);
        if (number.Length > 20) throw ApiErrors.FieldValidation($"The number series '{series.Code}' has run out of numbers.");
        return number;
    }

    public static async Task<string> NextAsync(AppDb db, Guid companyId, string code, CancellationToken ct)
    {
        var id = await db.NumberSeries.Where(s => s.CompanyId == companyId && s.Code == code).Select(s => s.Id).FirstOrDefaultAsync(ct);
        if (id == Guid.Empty) throw ApiErrors.FieldValidation($"The number series '{code}' does not exist.");
        return await NextAsync(db, id, ct);
    }

    /// <summary>
    /// The next number of a series that nothing uses yet: numbers given by hand may already sit in the series' range,
    /// so numbers are taken until <paramref name="inUse"/> says one is free.
    /// </summary>
    public static async Task<string> NextUnusedAsync(AppDb db, Guid companyId, string code, Func<string, Task<bool>> inUse, CancellationToken ct)
    {
        string number;
        do number = await NextAsync(db, companyId, code, ct);
        while (await inUse(number));
        return number;
    }

    /// <summary>
    /// The number a new master record (customer, vendor) keeps: the next free one of the series when none is given,
    /// else the one given, refused as Business Central refuses a duplicate key when the company has it already.
    /// </summary>
    public static async Task<string> NumberForNewAsync(AppDb db, Guid companyId, string code, string given, string table,
        Func<string, Task<bool>> inUse, CancellationToken ct)
    {
        if (given.Length == 0) return await NextUnusedAsync(db, companyId, code, inUse, ct);
        if (await inUse(given)) throw ApiErrors.SameKeyExists(table, $"No.='{given}'");
        return given;
    }

    /// <summary>Whether a master record's number changed; a blank or taken new number is refused.</summary>
    public static async Task<bool> CheckRenameAsync(string oldNumber, string newNumber, string table, Func<string, Task<bool>> inUse)
    {
        if (newNumber.Length == 0) throw ApiErrors.FieldValidation($"number must have a value in {table}.");
        if (newNumber == oldNumber) return false;
        if (await inUse(newNumber)) throw ApiErrors.SameKeyExists(table, $"No.='{newNumber}'");
        return true;
    }
}
