using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Dimensions;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Journals;

/// <summary>
/// A page of journal lines of one template (customerPayments, vendorPayments), under their journal or at company level
/// (where a read needs the key or a journalId filter, and a create needs journalId). What every such page does is
/// here: the journal, the line number, the defaults from the journal's last line, the dimension lines of a deep insert;
/// a page gives its fields, its navigations and the rules of its account (<see cref="ApplyRulesAsync"/>).
/// </summary>
public abstract class JournalLineSet<TBatch, TLine> : EntitySet<TLine> where TBatch : JournalBatch where TLine : JournalLine, new()
{
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;

    /// <summary>The journal page's entity type name, for "not found" ("customerPaymentJournal").</summary>
    protected abstract string JournalTypeName { get; }
    /// <summary>The journal in messages ("customer payment journal").</summary>
    protected abstract string JournalCaption { get; }
    /// <summary>The JSON field that names the line's account by id ("customerId"), read ahead with a create.</summary>
    protected abstract string AccountIdField { get; }

    /// <summary>The page's refusals of a change of journal, and of a journal id and name that disagree.</summary>
    protected virtual string JournalIdChanged => "You cannot change the journal id of a journal line.";
    protected virtual string JournalNameChanged => "You cannot change the journal display name of a journal line.";
    protected virtual string JournalIdAndNameDiffer => "The journal id and the journal display name do not match.";

    /// <summary>The rules of the line's account, invoice, amount, description and comment, on create and update.</summary>
    protected abstract Task ApplyRulesAsync(RequestContext rc, Guid companyId, TLine line, Body body, bool isCreate);

    /// <summary>The read of the account by id that <see cref="ApplyRulesAsync"/> makes, to make ahead; null for none.</summary>
    protected abstract ReadAhead? AccountAhead(AppDb db, Guid companyId, Guid? id);

    protected override Expression<Func<TLine, Guid>> Key => x => x.Id;
    protected override Expression<Func<TLine, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder =>
    [
        (Expression<Func<TLine, Guid>>)(x => x.JournalId),
        (Expression<Func<TLine, int>>)(x => x.LineNumber),
    ];

    private static string Template => new TLine().Template;

    private static Task<bool> LineTakenAsync(AppDb db, Guid journal, int line, CancellationToken ct) =>
        PreparedRows.ExistsAsync<TLine>(db, "line", LineWhere(journal, line), ct);

    private static (string, object)[] LineWhere(Guid journal, int line) =>
        [(nameof(JournalLine.JournalId), journal), (nameof(JournalLine.LineNumber), line)];

    private static Exception LineTaken(string journalCode, int lineNumber) =>
        ApiErrors.SameKeyExists("Gen. Journal Line", $"Journal Template Name='{Template}',Journal Batch Name='{journalCode}',Line No.='{lineNumber}'");

    /// <summary>A create under its journal: the journal's lock, the given line number's check and the account by id.</summary>
    public override IReadOnlyList<ReadAhead?> ReadsAheadForCreate(RequestContext rc, Scope scope)
    {
        if (scope.Via?.Name != Name || rc.ParsedBody is not { ValueKind: System.Text.Json.JsonValueKind.Object } json) return [];
        var line = json.TryGetProperty("lineNumber", out var l) && l.ValueKind == System.Text.Json.JsonValueKind.Number && l.TryGetInt32(out var n) ? n : 0;
        var account = json.TryGetProperty(AccountIdField, out var c) && c.ValueKind == System.Text.Json.JsonValueKind.String && Guid.TryParse(c.GetString(), out var g) ? g : (Guid?)null;
        return ReadsAhead(rc.Db, scope.CompanyId, scope.ParentId, line, account);
    }

    private IReadOnlyList<ReadAhead?> ReadsAhead(AppDb db, Guid companyId, Guid journalId, int lineNumber, Guid? accountId) =>
    [
        RowLocks.JournalAhead(db, journalId),
        lineNumber > 0 ? PreparedRows.ExistsAhead<TLine>(db, "line", LineWhere(journalId, lineNumber)) : null,
        AccountAhead(db, companyId, accountId),
    ];

    public const string JournalRequired = "You must specify a journal batch ID or a journal ID to get a journal line.";

    /// <summary>At company level a list must name its journal, as the Business Central page insists (CheckFilters).</summary>
    protected override void CheckList(RequestContext rc, Scope scope, QueryOptions query)
    {
        if (scope.HasParent) return;
        if (FilterTerms.EqualTo(query.Filter, "journalId") is null) throw ApiErrors.Dialog(JournalRequired);
    }

    protected override async Task<TLine> Create(RequestContext rc, Scope scope, Body body)
    {
        var db = rc.Db;
        var journal = await ResolveJournalAsync(rc, scope, body);
        var p = new TLine
        {
            Id = body.TryGet("id", out Guid id) && id != Guid.Empty ? id : SequentialIds.Next(),
            CompanyId = scope.CompanyId, JournalId = journal.Id, JournalCode = journal.Code,
            BalancingAccountId = journal.BalancingAccountId, BalancingAccountNumber = journal.BalancingAccountNumber,
        };
        // The line number and the defaults below come from the journal's other lines: concurrent creates in one
        // journal, through any node, take their turn on the journal row so none reads a line number another is taking.
        // The lock and the reads after it that the body already decides (the given line number, the account by id)
        // are made together, in one round trip where a statement is one; the checks below then take their answers.
        // (Under its journal's URL they were made with the journal's read: then nothing is sent here.)
        await PreparedRows.ReadAheadAsync(db, ReadsAhead(db, scope.CompanyId, journal.Id, body.TryGet("lineNumber", out int n) ? n : 0,
            body.TryGet(AccountIdField, out Guid accountId) ? accountId : null), rc.Aborted);
        if (!await RowLocks.JournalAsync(db, journal.Id, rc.Aborted))
            throw ApiErrors.RecordNotFound(JournalTypeName, journal.Id);
        // Only an id the client chose can already exist; a fresh one cannot.
        if (body.Has("id") && await db.JournalLines.AnyAsync(x => x.Id == p.Id, rc.Aborted))
            throw ApiErrors.SameKeyExists("Gen. Journal Line", $"SystemId='{p.Id:D}'");

        // Line number: given, or the highest in the journal + 10000.
        body.TryGet("lineNumber", out int lineNumber);
        if (lineNumber < 0) throw ApiErrors.FieldValidation("lineNumber must not be negative.");
        if (lineNumber == 0)
        {
            var max = await db.Set<TLine>().Where(x => x.JournalId == journal.Id).MaxAsync(x => (int?)x.LineNumber, rc.Aborted) ?? 0;
            if (max > int.MaxValue - 10000) throw ApiErrors.FieldValidation("The journal has no free line number after its last line; give lineNumber explicitly.");
            lineNumber = max + 10000;
        }
        else if (await LineTakenAsync(db, journal.Id, lineNumber, rc.Aborted))
        {
            throw LineTaken(journal.Code, lineNumber);
        }
        p.LineNumber = lineNumber;

        // Defaults come from the last line of the journal. Business Central's page would take the line
        // after an explicitly numbered one instead; this service keeps the simpler rule for every insert.
        // A line that brings its own posting date and document number needs nothing from its neighbour.
        var needsDefaults = !body.Has("postingDate") || !body.Has("documentNumber");
        var neighbour = !needsDefaults ? null : await db.Set<TLine>().AsNoTracking().Where(x => x.JournalId == journal.Id)
                            .OrderByDescending(x => x.LineNumber).FirstOrDefaultAsync(rc.Aborted);
        body.TryGet("externalDocumentNumber", out string? ext);
        p.ExternalDocumentNumber = ext ?? "";
        p.PostingDate = body.TryGet("postingDate", out DateOnly postingDate) ? postingDate : neighbour?.PostingDate ?? rc.Today;
        if (body.TryGet("documentNumber", out string documentNumber))
            p.DocumentNumber = documentNumber;
        else if (neighbour is not null && neighbour.ExternalDocumentNumber == p.ExternalDocumentNumber)
            p.DocumentNumber = neighbour.DocumentNumber;
        else
            p.DocumentNumber = await NumberSeries.NumberSeriesService.NextAsync(db, journal.NumberSeriesId, rc.Aborted);

        await ApplyRulesAsync(rc, scope.CompanyId, p, body, isCreate: true);
        // A prepared insert instead of SaveChanges. Every check above has run, and nothing else can write between them
        // and this insert: on SQLite the writer runs one unit at a time, on PostgreSQL the unit holds the journal's row.
        db.StampNew(p);
        await PreparedRows.InsertAsync(db, p, rc.Aborted);

        if (body.TryGetNested("dimensionSetLines", out var lines))
        {
            if (lines.GetArrayLength() > rc.Limits.MaxDeepInsertItems)
                throw ApiErrors.BadRequest($"A deep insert may carry at most {rc.Limits.MaxDeepInsertItems} dimensionSetLines.");
            var dimSet = (DimensionSetLinesSet)rc.Catalog.Set("dimensionSetLines");
            foreach (var line in lines.EnumerateArray())
            {
                var lineBody = Body.FromElement(line, dimSet, rc.Surface.Kind, isCreate: true);
                await dimSet.AddLineAsync(rc, scope.CompanyId, p, lineBody);
            }
        }
        return p;
    }

    private async Task<TBatch> ResolveJournalAsync(RequestContext rc, Scope scope, Body body)
    {
        // Under a journal of another template (journals({id}) serves every batch) a line of this page has no place.
        if (scope.Parent is JournalBatch other and not TBatch)
            throw ApiErrors.Dialog($"The journal {other.Code} is a journal of template {other.Template}; its lines are not {Name}.");
        var fromUrl = scope.Parent as TBatch;
        var hasId = body.TryGet("journalId", out Guid journalId) && journalId != Guid.Empty;
        TBatch journal;
        if (fromUrl is not null)
        {
            if (hasId && journalId != fromUrl.Id)
                throw ApiErrors.Dialog("The journal id in the request body does not match the journal in the URL.");
            journal = fromUrl;
        }
        else if (hasId)
        {
            journal = await rc.Db.Set<TBatch>().AsNoTracking()
                          .FirstOrDefaultAsync(j => j.Id == journalId && j.CompanyId == scope.CompanyId, rc.Aborted)
                      ?? throw ApiErrors.Dialog($"The {JournalCaption} with id '{journalId:D}' does not exist.");
        }
        else
        {
            throw ApiErrors.Dialog(JournalRequired);
        }
        if (body.TryGet("journalDisplayName", out string name) && name.Length > 0 && name != journal.Code)
            throw ApiErrors.Dialog(JournalIdAndNameDiffer);
        return journal;
    }

    protected override async Task Update(RequestContext rc, Scope scope, TLine p, Body body)
    {
        if (body.TryGet("journalId", out Guid journalId) && journalId != p.JournalId)
            throw ApiErrors.Dialog(JournalIdChanged);
        if (body.TryGet("journalDisplayName", out string journalName) && journalName != p.JournalCode)
            throw ApiErrors.Dialog(JournalNameChanged);
        if (body.TryGet("lineNumber", out int lineNumber) && lineNumber != p.LineNumber)
        {
            if (lineNumber <= 0) throw ApiErrors.FieldValidation("lineNumber must be greater than zero.");
            if (await LineTakenAsync(rc.Db, p.JournalId, lineNumber, rc.Aborted)) throw LineTaken(p.JournalCode, lineNumber);
            p.LineNumber = lineNumber;
        }
        if (body.TryGet("postingDate", out DateOnly postingDate)) p.PostingDate = postingDate;
        if (body.TryGet("documentNumber", out string documentNumber)) p.DocumentNumber = documentNumber;
        if (body.TryGet("externalDocumentNumber", out string ext)) p.ExternalDocumentNumber = ext;
        await ApplyRulesAsync(rc, scope.CompanyId, p, body, isCreate: false);
    }

    protected override async Task Delete(RequestContext rc, Scope scope, TLine p)
    {
        await rc.Db.PaymentDimensions.Where(d => d.PaymentId == p.Id).ExecuteDeleteAsync(rc.Aborted);
        await rc.Db.PaymentApplications.Where(a => a.PaymentId == p.Id).ExecuteDeleteAsync(rc.Aborted);
        rc.Db.Set<TLine>().Remove(p);
    }
}
