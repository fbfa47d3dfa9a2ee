using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Customers;
using PaymentJournal.Features.Dimensions;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CustomerPayments;

/// <summary>
/// customerPayments: lines of a customer payment journal, under their journal or at company level
/// (where a read needs the key or a journalId filter, and a create needs journalId).
/// </summary>
public sealed class CustomerPaymentsSet : EntitySet<CustomerPayment>
{
    public override string Name => "customerPayments";
    public override string TypeName => "customerPayment";
    public override bool CanCreate => true;
    public override bool CanUpdate => true;
    public override bool CanDelete => true;
    /// <summary>Graph's customer payment is a subpage of its journal and cannot be reached directly; Business Central's can.</summary>
    public override bool CompanyLevelOn(Surfaces surface) => surface == Surfaces.V2;

    protected override IReadOnlyList<FieldDef<CustomerPayment>> Fields { get; } = new FieldsBuilder<CustomerPayment>()
        .Key("id", x => x.Id, Access.CreateOnly)
        .Guid("journalId", x => x.JournalId, Access.ReadWrite, Surfaces.V2).HeldAs(Access.CreateOnly)
        .Code("journalDisplayName", x => x.JournalCode, 10).HeldAs(Access.ReadOnly)
        .Int32("lineNumber", x => x.LineNumber)
        .Guid("customerId", x => x.CustomerId)
        .Code("customerNumber", x => x.CustomerNumber, 20)
        .String("contactId", x => x.ContactId, 250, Access.ReadWrite, Surfaces.Graph)
        .Date("postingDate", x => x.PostingDate)
        .Code("documentNumber", x => x.DocumentNumber, 20)
        .Code("externalDocumentNumber", x => x.ExternalDocumentNumber, 20)
        .Decimal("amount", x => x.Amount)
        .Guid("appliesToInvoiceId", x => x.AppliesToInvoiceId)
        .Code("appliesToInvoiceNumber", x => x.AppliesToInvoiceNumber, 20)
        .String("description", x => x.Description, 50)
        .String("comment", x => x.Comment, 250)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<CustomerPayment, Guid>> Key => x => x.Id;
    protected override Expression<Func<CustomerPayment, Guid>> CompanyKey => x => x.CompanyId;
    protected override IReadOnlyList<LambdaExpression> DefaultOrder =>
    [
        (Expression<Func<CustomerPayment, Guid>>)(x => x.JournalId),
        (Expression<Func<CustomerPayment, int>>)(x => x.LineNumber),
    ];

    public CustomerPaymentsSet()
    {
        Navigations.Add(new NavigationDef
        {
            Name = "customer", TargetSet = "customers", IsCollection = false, TargetKey = o => ((CustomerPayment)o).CustomerId,
        });
        Navigations.Add(new NavigationDef
        {
            Name = "customerPaymentJournal", TargetSet = "customerPaymentJournals", IsCollection = false, Surfaces = Surfaces.V2,
            TargetKey = o => ((CustomerPayment)o).JournalId,
        });
        Navigations.Add(new NavigationDef
        {
            Name = "dimensionSetLines", TargetSet = "dimensionSetLines", IsCollection = true, Contained = true, Surfaces = Surfaces.V2,
            ChildForeignKey = (Expression<Func<PaymentDimension, Guid>>)(d => d.PaymentId), DeepInsert = true,
        });
        // The invoices the line settles (Applies-to ID): served only where the API group of posting serves the set.
        Navigations.Add(new NavigationDef
        {
            Name = "applications", TargetSet = PaymentApplicationsSet.SetName, IsCollection = true, Contained = true, Surfaces = Surfaces.V2,
            ChildForeignKey = (Expression<Func<PaymentApplication, Guid>>)(a => a.PaymentId),
        });
    }

    private static Task<bool> LineTakenAsync(AppDb db, Guid journal, int line, CancellationToken ct) =>
        PreparedRows.ExistsAsync<CustomerPayment>(db, "line", LineWhere(journal, line), ct);

    private static (string, object)[] LineWhere(Guid journal, int line) =>
        [(nameof(CustomerPayment.JournalId), journal), (nameof(CustomerPayment.LineNumber), line)];

    /// <summary>A create under its journal: the journal's lock, the given line number's check and the customer by id.</summary>
    public override IReadOnlyList<ReadAhead?> ReadsAheadForCreate(RequestContext rc, Scope scope)
    {
        if (scope.Via?.Name != "customerPayments" || rc.ParsedBody is not { ValueKind: System.Text.Json.JsonValueKind.Object } json) return [];
        var line = json.TryGetProperty("lineNumber", out var l) && l.ValueKind == System.Text.Json.JsonValueKind.Number && l.TryGetInt32(out var n) ? n : 0;
        var customer = json.TryGetProperty("customerId", out var c) && c.ValueKind == System.Text.Json.JsonValueKind.String && Guid.TryParse(c.GetString(), out var g) ? g : (Guid?)null;
        return ReadsAhead(rc.Db, scope.CompanyId, scope.ParentId, line, customer);
    }

    private static IReadOnlyList<ReadAhead?> ReadsAhead(AppDb db, Guid companyId, Guid journalId, int lineNumber, Guid? customerId) =>
    [
        RowLocks.JournalAhead(db, journalId),
        lineNumber > 0 ? PreparedRows.ExistsAhead<CustomerPayment>(db, "line", LineWhere(journalId, lineNumber)) : null,
        CustomerRules.ByIdAhead(db, companyId, customerId),
    ];

    public const string JournalRequired = "You must specify a journal batch ID or a journal ID to get a journal line.";

    /// <summary>At company level a list must name its journal, as the Business Central page insists (CheckFilters).</summary>
    protected override void CheckList(RequestContext rc, Scope scope, QueryOptions query)
    {
        if (scope.HasParent) return;
        if (FilterTerms.EqualTo(query.Filter, "journalId") is null) throw ApiErrors.Dialog(JournalRequired);
    }

    protected override async Task<CustomerPayment> Create(RequestContext rc, Scope scope, Body body)
    {
        var db = rc.Db;
        var journal = await ResolveJournalAsync(rc, scope, body);
        var p = new CustomerPayment
        {
            Id = body.TryGet("id", out Guid id) && id != Guid.Empty ? id : SequentialIds.Next(),
            CompanyId = scope.CompanyId, JournalId = journal.Id, JournalCode = journal.Code,
            BalancingAccountId = journal.BalancingAccountId,
        };
        // The line number and the defaults below come from the journal's other lines: concurrent creates in one
        // journal, through any node, take their turn on the journal row so none reads a line number another is taking.
        // The lock and the reads after it that the body already decides (the given line number, the customer by id)
        // are made together, in one round trip where a statement is one; the checks below then take their answers.
        // (Under its journal's URL they were made with the journal's read: then nothing is sent here.)
        await PreparedRows.ReadAheadAsync(db, ReadsAhead(db, scope.CompanyId, journal.Id, body.TryGet("lineNumber", out int n) ? n : 0,
            body.TryGet("customerId", out Guid customerId) ? customerId : null), rc.Aborted);
        if (!await RowLocks.JournalAsync(db, journal.Id, rc.Aborted))
            throw ApiErrors.RecordNotFound("customerPaymentJournal", journal.Id);
        // Only an id the client chose can already exist; a fresh one cannot.
        if (body.Has("id") && await db.CustomerPayments.AnyAsync(x => x.Id == p.Id, rc.Aborted))
            throw ApiErrors.SameKeyExists("Gen. Journal Line", $"SystemId='{p.Id:D}'");

        // Line number: given, or the highest in the journal + 10000.
        body.TryGet("lineNumber", out int lineNumber);
        if (lineNumber < 0) throw ApiErrors.FieldValidation("lineNumber must not be negative.");
        if (lineNumber == 0)
        {
            var max = await db.CustomerPayments.Where(x => x.JournalId == journal.Id).MaxAsync(x => (int?)x.LineNumber, rc.Aborted) ?? 0;
            if (max > int.MaxValue - 10000) throw ApiErrors.FieldValidation("The journal has no free line number after its last line; give lineNumber explicitly.");
            lineNumber = max + 10000;
        }
        else if (await LineTakenAsync(db, journal.Id, lineNumber, rc.Aborted))
        {
            throw ApiErrors.SameKeyExists("Gen. Journal Line", $"Journal Template Name='CASHRCPT',Journal Batch Name='{journal.Code}',Line No.='{lineNumber}'");
        }
        p.LineNumber = lineNumber;

        // Defaults come from the last line of the journal. Business Central's page would take the line
        // after an explicitly numbered one instead; this service keeps the simpler rule for every insert.
        // A line that brings its own posting date and document number needs nothing from its neighbour.
        var needsDefaults = !body.Has("postingDate") || !body.Has("documentNumber");
        var neighbour = !needsDefaults ? null : await db.CustomerPayments.AsNoTracking().Where(x => x.JournalId == journal.Id)
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

        await PaymentRules.ApplyAsync(rc, scope.CompanyId, p, body, isCreate: true);
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

    private static async Task<CustomerPaymentJournal> ResolveJournalAsync(RequestContext rc, Scope scope, Body body)
    {
        var fromUrl = scope.Parent as CustomerPaymentJournal;
        var hasId = body.TryGet("journalId", out Guid journalId) && journalId != Guid.Empty;
        CustomerPaymentJournal journal;
        if (fromUrl is not null)
        {
            if (hasId && journalId != fromUrl.Id)
                throw ApiErrors.Dialog("The journal id in the request body does not match the journal in the URL.");
            journal = fromUrl;
        }
        else if (hasId)
        {
            journal = await rc.Db.CustomerPaymentJournals.AsNoTracking()
                          .FirstOrDefaultAsync(j => j.Id == journalId && j.CompanyId == scope.CompanyId, rc.Aborted)
                      ?? throw ApiErrors.Dialog($"The customer payment journal with id '{journalId:D}' does not exist.");
        }
        else
        {
            throw ApiErrors.Dialog(JournalRequired);
        }
        if (body.TryGet("journalDisplayName", out string name) && name.Length > 0 && name != journal.Code)
            throw ApiErrors.Dialog("The journal id and the journal display name do not match.");
        return journal;
    }

    protected override async Task Update(RequestContext rc, Scope scope, CustomerPayment p, Body body)
    {
        if (body.TryGet("journalId", out Guid journalId) && journalId != p.JournalId)
            throw ApiErrors.Dialog("You cannot change the journal id of a journal line.");
        if (body.TryGet("journalDisplayName", out string journalName) && journalName != p.JournalCode)
            throw ApiErrors.Dialog("You cannot change the journal display name of a journal line.");
        if (body.TryGet("lineNumber", out int lineNumber) && lineNumber != p.LineNumber)
        {
            if (lineNumber <= 0) throw ApiErrors.FieldValidation("lineNumber must be greater than zero.");
            if (await LineTakenAsync(rc.Db, p.JournalId, lineNumber, rc.Aborted))
                throw ApiErrors.SameKeyExists("Gen. Journal Line", $"Journal Template Name='CASHRCPT',Journal Batch Name='{p.JournalCode}',Line No.='{lineNumber}'");
            p.LineNumber = lineNumber;
        }
        if (body.TryGet("postingDate", out DateOnly postingDate)) p.PostingDate = postingDate;
        if (body.TryGet("documentNumber", out string documentNumber)) p.DocumentNumber = documentNumber;
        if (body.TryGet("externalDocumentNumber", out string ext)) p.ExternalDocumentNumber = ext;
        await PaymentRules.ApplyAsync(rc, scope.CompanyId, p, body, isCreate: false);
    }

    protected override async Task Delete(RequestContext rc, Scope scope, CustomerPayment p)
    {
        await rc.Db.PaymentDimensions.Where(d => d.PaymentId == p.Id).ExecuteDeleteAsync(rc.Aborted);
        await rc.Db.PaymentApplications.Where(a => a.PaymentId == p.Id).ExecuteDeleteAsync(rc.Aborted);
        rc.Db.CustomerPayments.Remove(p);
    }
}
