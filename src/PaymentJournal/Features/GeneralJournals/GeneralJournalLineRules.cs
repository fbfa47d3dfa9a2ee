using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Features.GeneralJournals;

/// <summary>
/// The account, balancing account, amount and description rules of a general journal line (Business Central's page
/// 30049 and the journal line's validation), shared by create and update. Lines take G/L accounts on both sides.
/// </summary>
public static class GeneralJournalLineRules
{
    public static async Task ApplyAsync(RequestContext rc, Guid companyId, GeneralJournalLine p, Body b, bool isCreate)
    {
        var db = rc.Db;
        var ct = rc.Aborted;
        foreach (var field in new[] { "accountType", "balanceAccountType" })
            if (b.TryGet(field, out string type) && type != JournalAccountTypes.GLAccount)
                throw ApiErrors.NotSupported($"The {field} '{type}' (journal lines here take G/L accounts)");

        var oldAccountId = p.AccountId;
        var (accountNamed, account) = await ResolveAsync(db, companyId, b, "accountId", "accountNumber", ct);
        if (accountNamed)
        {
            p.AccountId = account?.Id ?? Guid.Empty;
            p.AccountNumber = account?.Number ?? "";
        }
        var (balancingNamed, balancing) = await ResolveAsync(db, companyId, b, "balancingAccountId", "balancingAccountNumber", ct);
        if (balancingNamed)
        {
            p.BalancingAccountId = balancing?.Id ?? Guid.Empty;
            p.BalancingAccountNumber = balancing?.Number ?? "";
        }

        if (b.TryGet("amount", out long amount)) p.Amount = amount;
        if (b.TryGet("comment", out string comment)) p.Comment = comment;
        await Journals.LineDescription.ApplyAsync(p, b, isCreate, oldAccountId, p.AccountId, account?.DisplayName ?? "",
            id => db.Accounts.AsNoTracking().Where(x => x.Id == id).Select(x => x.DisplayName).FirstOrDefaultAsync(ct), 100);
    }

    /// <summary>
    /// The G/L account the body names by id and/or number (Named false when it names none; Account null to clear it).
    /// An unknown id or number, an id and a number of different accounts, or a blocked or non-posting account is refused.
    /// </summary>
    private static async Task<(bool Named, Account? Account)> ResolveAsync(AppDb db, Guid companyId, Body b, string idField, string numberField, CancellationToken ct)
    {
        var hasId = b.TryGet(idField, out Guid id);
        var hasNumber = b.TryGet(numberField, out string number);
        if (!hasId && !hasNumber) return (false, null);
        Account? account = null;
        if (hasId && id != Guid.Empty)
            account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.CompanyId == companyId, ct)
                      ?? throw ApiErrors.Dialog($"The \"{idField}\" does not match to an Account.");
        if (hasNumber && number.Length > 0)
        {
            if (account is not null)
            {
                if (account.Number != number) throw ApiErrors.Dialog("The account values do not match to a specific Account.");
            }
            else
            {
                account = await db.Accounts.AsNoTracking().FirstOrDefaultAsync(x => x.Number == number && x.CompanyId == companyId, ct)
                          ?? throw ApiErrors.Dialog($"The \"{numberField}\" does not match to an Account.");
            }
        }
        if (account is not null && Accounts.AccountRules.PostingProblem(account) is { } problem) throw ApiErrors.Dialog(problem);
        return (true, account);
    }
}
