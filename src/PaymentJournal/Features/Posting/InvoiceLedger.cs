using PaymentJournal.Data;

namespace PaymentJournal.Features.Posting;

/// <summary>
/// What posting a sales and a purchase invoice write alike: entry and transaction numbers from the company, the G/L
/// entries of one transaction, their webhook notifications and the accounts' netChange.
/// </summary>
internal static class InvoiceLedger
{
    /// <summary>
    /// Takes <paramref name="entries"/> entry numbers and one transaction number from the company's counters; the
    /// update holds the company row until the write transaction ends, so posts of one company number in turn.
    /// </summary>
    public static async Task<(long FirstEntry, long Transaction)> ReserveAsync(RawSql raw, Guid companyId, long entries, CancellationToken ct)
    {
        await using var reserve = raw.Command(
            "UPDATE companies SET last_entry_number = last_entry_number + @p0, last_transaction_number = last_transaction_number + 1 " +
            "WHERE id = @p1 RETURNING last_entry_number, last_transaction_number", entries, raw.Guid(companyId));
        await using var r = await reserve.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0) - entries + 1, r.GetInt64(1));
    }

    /// <summary>One G/L entry of an invoice per signed amount (a debit positive), numbered from <paramref name="firstEntry"/>.</summary>
    public static List<GeneralLedgerEntry> Entries(Guid companyId, long firstEntry, long transaction, DateOnly postingDate, string documentNumber,
        string description, Guid customerId, DateTime now, IEnumerable<(Account Account, long Amount)> amounts) =>
        amounts.Select((x, i) => new GeneralLedgerEntry
        {
            Id = SequentialIds.Next(), CompanyId = companyId, EntryNumber = firstEntry + i, TransactionNumber = transaction,
            PostingDate = postingDate, DocumentType = "Invoice", DocumentNumber = documentNumber, AccountId = x.Account.Id,
            AccountNumber = x.Account.Number, Description = description, Amount = x.Amount, DebitAmount = Math.Max(x.Amount, 0),
            CreditAmount = Math.Max(-x.Amount, 0), CustomerId = customerId, CreatedAt = now,
        }).ToList();

    /// <summary>The post's webhook notifications, in its transaction: the invoice changed, its ledger entries are new.</summary>
    public static async Task NotifyAsync(Webhooks.WebhookOutbox? webhooks, AppDb db, Guid companyId, string invoiceSet, Guid invoiceId,
        string ledgerSet, Guid ledgerEntryId, IReadOnlyList<GeneralLedgerEntry> gl, CancellationToken ct)
    {
        if (webhooks is null) return;
        await webhooks.RecordKeysAsync(db, companyId, invoiceSet, 1, () => Task.FromResult<IReadOnlyList<Guid>>([invoiceId]), Webhooks.WebhookOutbox.Updated, Guid.Empty, ct);
        await webhooks.RecordKeysAsync(db, companyId, ledgerSet, 1, () => Task.FromResult<IReadOnlyList<Guid>>([ledgerEntryId]), Webhooks.WebhookOutbox.Created, Guid.Empty, ct);
        await webhooks.RecordKeysAsync(db, companyId, "generalLedgerEntries", gl.Count,
            () => Task.FromResult<IReadOnlyList<Guid>>(gl.Select(e => e.Id).ToList()), Webhooks.WebhookOutbox.Created, Guid.Empty, ct);
    }

    /// <summary>
    /// Moves each account's netChange by its entries. netChange is a sum over entries (a FlowField in Business Central),
    /// so it moves without moving the ETag; the accounts in id order, as every post updates them (docs/posting.md, guarantee 7).
    /// </summary>
    public static async Task MoveNetChangeAsync(RawSql raw, IEnumerable<GeneralLedgerEntry> gl, CancellationToken ct)
    {
        var deltas = gl.GroupBy(e => e.AccountId).Select(g => (Id: g.Key, Delta: g.Sum(e => e.Amount))).Where(x => x.Delta != 0).OrderBy(x => x.Id);
        foreach (var (id, delta) in deltas)
            await raw.ExecuteAsync("UPDATE accounts SET net_change = net_change + @p0 WHERE id = @p1", ct, delta, raw.Guid(id));
    }
}
