using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;

namespace PaymentJournal.OData;

/// <summary>
/// Which companies exist. Every request names its company, and companies are not created or deleted through the
/// API, so a company seen in the last 30 seconds is taken as existing without asking the database again.
/// </summary>
public sealed class CompanyDirectory
{
    private readonly ConcurrentDictionary<Guid, long> _seenUntil = new();
    private static readonly Func<AppDb, Guid, Task<bool>> Exists =
        EF.CompileAsyncQuery((AppDb db, Guid id) => db.Companies.Any(c => c.Id == id));

    public async Task<bool> ExistsAsync(AppDb db, Guid id, CancellationToken ct)
    {
        var now = Environment.TickCount64;
        if (_seenUntil.TryGetValue(id, out var until) && until > now) return true;
        ct.ThrowIfCancellationRequested();
        if (!await Exists(db, id)) return false;
        _seenUntil[id] = now + 30_000;
        return true;
    }

    /// <summary>Forgets every company seen (the emulator has just put the database back to another state).</summary>
    public void Clear() => _seenUntil.Clear();
}
