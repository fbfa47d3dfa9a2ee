using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;
using Series = PaymentJournal.Data.NumberSeries;

namespace PaymentJournal.Features.CustomerPaymentJournals;

/// <summary>customerPaymentJournals: code, display name and balancing account of a cash receipts journal batch.</summary>
public sealed class CustomerPaymentJournalsSet : EntitySet<CustomerPaymentJournal>
{
    private readonly ICommitObserver? _observer;

    public override string Name => "customerPaymentJournals";
    public override string TypeName => "customerPaymentJournal";
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;
    public override IReadOnlyList<string> Actions => ["post"];

    protected override IReadOnlyList<FieldDef<CustomerPaymentJournal>> Fields { get; } = new FieldsBuilder<CustomerPaymentJournal>()
        .Key("id", x => x.Id)
        .Code("code", x => x.Code, 10)
        .String("displayName", x => x.DisplayName, 50)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Guid("balancingAccountId", x => x.BalancingAccountId)
        .Code("balancingAccountNumber", x => x.BalancingAccountNumber, 20, Access.ReadOnly)
        .Fields;

    protected override Expression<Func<CustomerPaymentJournal, Guid>> Key => x => x.Id;
    protected override Expression<Func<CustomerPaymentJournal, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<CustomerPaymentJournal, string>>)(x => x.Code)];

    private readonly Webhooks.WebhookOutbox? _webhooks;

    public CustomerPaymentJournalsSet(ICommitObserver? observer = null, Webhooks.WebhookOutbox? webhooks = null)
    {
        _observer = CommitObserver.Active(observer);
        _webhooks = webhooks;
        Navigations.Add(new NavigationDef
        {
            Name = "customerPayments", TargetSet = "customerPayments", IsCollection = true, Contained = true,
            ChildForeignKey = (Expression<Func<CustomerPayment, Guid>>)(p => p.JournalId),
        });
        Navigations.Add(new NavigationDef
        {
            Name = "account", TargetSet = "accounts", IsCollection = false, Surfaces = Surfaces.Graph,
            TargetKey = o => ((CustomerPaymentJournal)o).BalancingAccountId,
        });
    }

    protected override async Task<CustomerPaymentJournal> Create(RequestContext rc, Scope scope, Body body)
    {
        var j = new CustomerPaymentJournal { Id = SequentialIds.Next(), CompanyId = scope.CompanyId };
        await Apply(rc, scope, j, body);
        if (j.Code.Length == 0) throw ApiErrors.FieldValidation("code must have a value in Customer Payment Journal.");
        if (await rc.Db.CustomerPaymentJournals.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Code == j.Code, rc.Aborted))
            throw ApiErrors.SameKeyExists("Gen. Journal Batch", $"Journal Template Name='CASHRCPT',Name='{j.Code}'");
        // Every journal draws document numbers from a series of its own: CODE-00001, CODE-00002, ... The series' code
        // takes the id's last 16 digits: its first ones are a time that two journals may share.
        var series = new Series { Id = SequentialIds.Next(), CompanyId = scope.CompanyId, Code = "JNL-" + j.Id.ToString("N")[16..].ToUpperInvariant(), Prefix = j.Code + "-", Digits = 5 };
        rc.Db.NumberSeries.Add(series);
        j.NumberSeriesId = series.Id;
        rc.Db.CustomerPaymentJournals.Add(j);
        return j;
    }

    protected override async Task Update(RequestContext rc, Scope scope, CustomerPaymentJournal j, Body body)
    {
        var oldCode = j.Code;
        await Apply(rc, scope, j, body);
        if (j.Code.Length == 0) throw ApiErrors.FieldValidation("code must have a value in Customer Payment Journal.");
        if (j.Code != oldCode)
        {
            if (await rc.Db.CustomerPaymentJournals.AnyAsync(x => x.CompanyId == scope.CompanyId && x.Code == j.Code, rc.Aborted))
                throw ApiErrors.SameKeyExists("Gen. Journal Batch", $"Journal Template Name='CASHRCPT',Name='{j.Code}'");
            // Renaming a batch renames it on its lines too (journalDisplayName follows).
            await rc.Db.CustomerPayments.Where(p => p.JournalId == j.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.JournalCode, j.Code).Touch(rc.Db.Now()), rc.Aborted);
        }
    }

    protected override async Task Delete(RequestContext rc, Scope scope, CustomerPaymentJournal j)
    {
        var lines = rc.Db.CustomerPayments.Where(p => p.JournalId == j.Id).Select(p => p.Id);
        // The lines go with their journal: a subscriber to them hears of it (keys read only when somebody listens).
        if (_webhooks is not null && _webhooks.Watches(j.CompanyId, "customerPayments"))
        {
            var ids = await rc.Db.CustomerPayments.Where(p => p.JournalId == j.Id).OrderBy(p => p.LineNumber).Select(p => p.Id).ToListAsync(rc.Aborted);
            await _webhooks.RecordKeysAsync(rc.Db, j.CompanyId, "customerPayments", ids.Count, () => Task.FromResult<IReadOnlyList<Guid>>(ids),
                Webhooks.WebhookOutbox.Deleted, j.Id, rc.Aborted);
        }
        await rc.Db.PaymentDimensions.Where(d => lines.Contains(d.PaymentId)).ExecuteDeleteAsync(rc.Aborted);
        await rc.Db.PaymentApplications.Where(a => lines.Contains(a.PaymentId)).ExecuteDeleteAsync(rc.Aborted);
        await rc.Db.CustomerPayments.Where(p => p.JournalId == j.Id).ExecuteDeleteAsync(rc.Aborted);
        rc.Db.CustomerPaymentJournals.Remove(j);
        await rc.Db.NumberSeries.Where(s => s.Id == j.NumberSeriesId).ExecuteDeleteAsync(rc.Aborted);
    }

    protected override Task Invoke(RequestContext rc, Scope scope, CustomerPaymentJournal journal, string action) =>
        Posting.JournalPoster.PostAsync(rc, journal, _observer, _webhooks);

    private static async Task Apply(RequestContext rc, Scope scope, CustomerPaymentJournal j, Body b)
    {
        if (b.TryGet("code", out string code)) j.Code = code;
        if (b.TryGet("displayName", out string displayName)) j.DisplayName = displayName;
        if (b.TryGet("balancingAccountId", out Guid accountId))
        {
            if (accountId == Guid.Empty)
            {
                j.BalancingAccountId = Guid.Empty;
                j.BalancingAccountNumber = "";
                return;
            }
            var account = await rc.Db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId && a.CompanyId == scope.CompanyId, rc.Aborted)
                          ?? throw ApiErrors.Dialog("The \"balancingAccountId\" does not match to a G/L Account.");
            CheckBalancing(account);
            j.BalancingAccountId = account.Id;
            j.BalancingAccountNumber = account.Number;
        }
    }

    private static void CheckBalancing(Account account)
    {
        if (account.Blocked) throw ApiErrors.Dialog($"G/L account {account.Number} is blocked.");
        if (account.AccountType != "Posting") throw ApiErrors.Dialog($"G/L account {account.Number} is not a posting account.");
    }
}
