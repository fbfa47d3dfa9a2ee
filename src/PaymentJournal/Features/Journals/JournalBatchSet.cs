using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.OData;
using Series = PaymentJournal.Data.NumberSeries;

namespace PaymentJournal.Features.Journals;

/// <summary>
/// A page of journal batches of one template (customerPaymentJournals, vendorPaymentJournals): code, display name and
/// balancing account, and the lines under the batch. A page says its names; create, rename and delete are
/// <see cref="JournalBatches"/>', the same for every page.
/// </summary>
public abstract class JournalBatchSet<TBatch, TLine> : EntitySet<TBatch> where TBatch : JournalBatch, new() where TLine : JournalLine
{
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    /// <summary>The page's caption in messages ("Customer Payment Journal").</summary>
    protected abstract string Caption { get; }
    /// <summary>The entity set of the batch's lines.</summary>
    protected abstract string LinesSet { get; }

    protected override IReadOnlyList<FieldDef<TBatch>> Fields { get; } = new FieldsBuilder<TBatch>()
        .Key("id", x => x.Id)
        .Code("code", x => x.Code, 10)
        .String("displayName", x => x.DisplayName, 50)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Guid("balancingAccountId", x => x.BalancingAccountId)
        .Code("balancingAccountNumber", x => x.BalancingAccountNumber, 20, Access.ReadOnly)
        .Fields;

    protected override Expression<Func<TBatch, Guid>> Key => x => x.Id;
    protected override Expression<Func<TBatch, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder => [(Expression<Func<TBatch, string>>)(x => x.Code)];

    protected Webhooks.WebhookOutbox? WebhookOutbox { get; }

    protected JournalBatchSet(Webhooks.WebhookOutbox? webhooks)
    {
        WebhookOutbox = webhooks;
        Navigations.Add(new NavigationDef
        {
            Name = LinesSet, TargetSet = LinesSet, IsCollection = true, Contained = true,
            ChildForeignKey = (Expression<Func<TLine, Guid>>)(p => p.JournalId),
        });
    }

    protected override Task<TBatch> Create(RequestContext rc, Scope scope, Body body) => JournalBatches.CreateAsync<TBatch>(rc, scope, body, Caption);

    protected override Task Update(RequestContext rc, Scope scope, TBatch j, Body body) => JournalBatches.UpdateAsync(rc, scope, j, body, Caption);

    protected override Task Delete(RequestContext rc, Scope scope, TBatch j) => JournalBatches.DeleteAsync(rc, j, LinesSet, WebhookOutbox);
}

/// <summary>Creating, changing and deleting a journal batch of any template, for every page that shows batches.</summary>
public static class JournalBatches
{
    private static Exception CodeTaken(string template, string code) =>
        ApiErrors.SameKeyExists("Gen. Journal Batch", $"Journal Template Name='{template}',Name='{code}'");

    private static Task<bool> CodeTakenAsync(RequestContext rc, Guid company, string template, string code) =>
        rc.Db.JournalBatches.AnyAsync(x => x.CompanyId == company && x.Template == template && x.Code == code, rc.Aborted);

    public static async Task<TBatch> CreateAsync<TBatch>(RequestContext rc, Scope scope, Body body, string caption) where TBatch : JournalBatch, new()
    {
        var j = new TBatch { Id = SequentialIds.Next(), CompanyId = scope.CompanyId };
        await ApplyAsync(rc, scope, j, body);
        if (j.Code.Length == 0) throw ApiErrors.FieldValidation($"code must have a value in {caption}.");
        if (await CodeTakenAsync(rc, scope.CompanyId, j.Template, j.Code)) throw CodeTaken(j.Template, j.Code);
        // Every journal draws document numbers from a series of its own: CODE-00001, CODE-00002, ... The series' code
        // takes the id's last 16 digits: its first ones are a time that two journals may share.
        var series = new Series { Id = SequentialIds.Next(), CompanyId = scope.CompanyId, Code = "JNL-" + j.Id.ToString("N")[16..].ToUpperInvariant(), Prefix = j.Code + "-", Digits = 5 };
        rc.Db.NumberSeries.Add(series);
        j.NumberSeriesId = series.Id;
        rc.Db.JournalBatches.Add(j);
        return j;
    }

    public static async Task UpdateAsync(RequestContext rc, Scope scope, JournalBatch j, Body body, string caption)
    {
        var oldCode = j.Code;
        await ApplyAsync(rc, scope, j, body);
        if (j.Code.Length == 0) throw ApiErrors.FieldValidation($"code must have a value in {caption}.");
        if (j.Code != oldCode)
        {
            if (await CodeTakenAsync(rc, scope.CompanyId, j.Template, j.Code)) throw CodeTaken(j.Template, j.Code);
            // Renaming a batch renames it on its lines too (journalDisplayName follows).
            await LinesOf(rc.Db, j).Where(p => p.JournalId == j.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.JournalCode, j.Code).Touch(rc.Db.Now()), rc.Aborted);
        }
    }

    /// <summary>The lines of the batch's kind (the model maps their columns on each kind, not on <see cref="JournalLine"/>).</summary>
    private static IQueryable<JournalLine> LinesOf(AppDb db, JournalBatch j) => j.Template switch
    {
        JournalTemplates.CashReceipts => db.CustomerPayments,
        JournalTemplates.Payments => db.VendorPayments,
        _ => db.GeneralJournalLines,
    };

    /// <summary>Deletes the batch with its lines, their dimension lines and applications, and its number series.</summary>
    public static async Task DeleteAsync(RequestContext rc, JournalBatch j, string linesSet, Webhooks.WebhookOutbox? webhooks)
    {
        var lines = LinesOf(rc.Db, j).Where(p => p.JournalId == j.Id).Select(p => p.Id);
        // The lines go with their journal: a subscriber to them hears of it (keys read only when somebody listens).
        if (webhooks is not null && webhooks.Watches(j.CompanyId, linesSet))
        {
            var ids = await LinesOf(rc.Db, j).Where(p => p.JournalId == j.Id).OrderBy(p => p.LineNumber).Select(p => p.Id).ToListAsync(rc.Aborted);
            await webhooks.RecordKeysAsync(rc.Db, j.CompanyId, linesSet, ids.Count, () => Task.FromResult<IReadOnlyList<Guid>>(ids),
                Webhooks.WebhookOutbox.Deleted, j.Id, rc.Aborted);
        }
        await rc.Db.PaymentDimensions.Where(d => lines.Contains(d.PaymentId)).ExecuteDeleteAsync(rc.Aborted);
        await rc.Db.PaymentApplications.Where(a => lines.Contains(a.PaymentId)).ExecuteDeleteAsync(rc.Aborted);
        await LinesOf(rc.Db, j).Where(p => p.JournalId == j.Id).ExecuteDeleteAsync(rc.Aborted);
        rc.Db.JournalBatches.Remove(j);
        await rc.Db.NumberSeries.Where(s => s.Id == j.NumberSeriesId).ExecuteDeleteAsync(rc.Aborted);
    }

    private static async Task ApplyAsync(RequestContext rc, Scope scope, JournalBatch j, Body b)
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
            if (account.Blocked) throw ApiErrors.Dialog($"G/L account {account.Number} is blocked.");
            if (account.AccountType != "Posting") throw ApiErrors.Dialog($"G/L account {account.Number} is not a posting account.");
            j.BalancingAccountId = account.Id;
            j.BalancingAccountNumber = account.Number;
        }
    }
}
