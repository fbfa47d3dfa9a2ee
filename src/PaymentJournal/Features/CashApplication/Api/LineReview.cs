using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Webhooks;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CashApplication.Api;

/// <summary>
/// The review actions on a statement line (accept a proposal, apply by hand, ignore, reopen) and the transfer of a
/// statement's accepted lines to a customer payment journal. Each runs in the request's write unit.
/// </summary>
public sealed class LineReview(CashApplicationOptions options, WebhookOutbox? webhooks)
{
    public const string AcceptProposal = "acceptProposal", ApplyToInvoices = "applyToInvoices", Ignore = "ignore", Reopen = "reopen";
    public const string TransferToJournal = "transferToJournal";

    public async Task ReviewAsync(RequestContext rc, Guid company, BankStatementLine line, string action, IReadOnlyDictionary<string, object> parameters)
    {
        var db = rc.Db;
        // On PostgreSQL the line is taken for the rest of the transaction and read again: a concurrent review waits.
        if (await RowLocks.VersionAsync(db, line, rc.Aborted) is { } locked && locked != line.Version) await db.Entry(line).ReloadAsync(rc.Aborted);
        if (line.Status == BankStatementLine.Transferred)
            throw ApiErrors.Dialog($"Statement line {line.LineNumber} is transferred to a journal already; it cannot be changed.");
        switch (action)
        {
            case AcceptProposal:
                await AcceptAsync(rc, company, line, parameters.TryGetValue("proposalId", out var id) ? (Guid)id : null);
                break;
            case ApplyToInvoices:
                await ApplyAsync(rc, company, line, parameters);
                break;
            case Ignore:
                Clear(line);
                line.Status = BankStatementLine.Ignored;
                break;
            case Reopen:
                Clear(line);
                line.Status = BankStatementLine.Open;
                await ProposeAgainAsync(db, company, line, await LineMatching.ForCompanyAsync(db, company, options, rc.Aborted), rc.Aborted);
                break;
            default:
                throw ApiErrors.ResourceNotFound(action);
        }
        await db.SaveChangesAsync(rc.Aborted);
        await NotifyAsync(rc, company, "bankStatementLines", line);
    }

    private static void Clear(BankStatementLine line)
    {
        line.CustomerId = Guid.Empty;
        line.CustomerNumber = "";
        line.ApplicationsData = "";
        line.AppliedInvoices = "";
        line.AppliedAmount = 0;
        line.Note = "";
    }

    private static void Choose(BankStatementLine line, Guid customerId, string customerNumber, List<Applied> applied)
    {
        line.CustomerId = customerId;
        line.CustomerNumber = customerNumber;
        line.ApplicationsData = Applied.Data(applied);
        line.AppliedInvoices = Applied.Text(applied);
        line.AppliedAmount = applied.Sum(a => a.Cents);
        line.Note = "";
        line.Status = BankStatementLine.Accepted;
    }

    private static void CheckReviewable(BankStatementLine line)
    {
        if (!line.IsCredit || line.IsReversal)
            throw ApiErrors.Dialog($"Statement line {line.LineNumber} is a {(line.IsReversal ? "reversal" : "debit")}; only credits are applied to invoices. Ignore it instead.");
    }

    private async Task AcceptAsync(RequestContext rc, Guid company, BankStatementLine line, Guid? proposalId)
    {
        CheckReviewable(line);
        var proposals = rc.Db.BankMatchProposals.AsNoTracking().Where(p => p.CompanyId == company && p.LineId == line.Id);
        var proposal = proposalId is { } pid
            ? await proposals.FirstOrDefaultAsync(p => p.Id == pid, rc.Aborted) ?? throw ApiErrors.Dialog($"Statement line {line.LineNumber} has no proposal {pid:D}.")
            : await proposals.OrderBy(p => p.Rank).FirstOrDefaultAsync(rc.Aborted)
              ?? throw ApiErrors.Dialog($"Statement line {line.LineNumber} has no proposals; apply it by hand with {Catalog.ActionNamespace}.{ApplyToInvoices}.");
        var applied = Applied.Parse(proposal.ApplicationsData);
        if (await StaleAsync(rc.Db, company, proposal.CustomerId, applied, [], rc.Aborted) is { } stale)
            throw new ApiException(409, "Request_EntityChanged",
                $"{stale} since the proposal was made; {Catalog.ActionNamespace}.{Reopen} makes fresh proposals for the line.");
        Choose(line, proposal.CustomerId, proposal.CustomerNumber, applied);
    }

    private static async Task ApplyAsync(RequestContext rc, Guid company, BankStatementLine line, IReadOnlyDictionary<string, object> parameters)
    {
        CheckReviewable(line);
        var db = rc.Db;
        Customer? customer = null;
        if (parameters.TryGetValue("customerId", out var cid))
        {
            var id = (Guid)cid;
            customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.CompanyId == company && c.Id == id, rc.Aborted)
                       ?? throw ApiErrors.Dialog($"The customer {id:D} does not exist.");
        }
        if (parameters.TryGetValue("customerNumber", out var cn))
        {
            var number = ((string)cn).Trim().ToUpperInvariant();
            var byNumber = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.CompanyId == company && c.Number == number, rc.Aborted)
                           ?? throw ApiErrors.Dialog($"The customer {ApiErrors.Echo(number)} does not exist.");
            if (customer is not null && customer.Id != byNumber.Id) throw ApiErrors.Dialog("customerId and customerNumber name different customers.");
            customer = byNumber;
        }
        if (customer is null) throw ApiErrors.Dialog($"Name the customer: {Catalog.ActionNamespace}.{ApplyToInvoices} needs customerId or customerNumber.");

        var applied = new List<Applied>();
        var text = parameters.TryGetValue("invoices", out var inv) ? (string)inv : "";
        foreach (var raw in text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.IndexOf('=');
            var number = (eq < 0 ? raw : raw[..eq]).Trim().ToUpperInvariant();
            long cents = 0;
            if (eq >= 0)
            {
                if (!decimal.TryParse(raw[(eq + 1)..].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
                    || Wire.ToScaled(amount, 2) is not { } scaled || scaled <= 0 || amount != Math.Round(amount, 2))
                    throw ApiErrors.Dialog($"'{ApiErrors.Echo(raw)}' in invoices: write the invoice number, optionally '=' and a positive amount with at most two decimals.");
                cents = scaled;
            }
            var invoice = await db.SalesInvoices.AsNoTracking().FirstOrDefaultAsync(i => i.CompanyId == company && i.Number == number, rc.Aborted)
                          ?? throw ApiErrors.Dialog($"The sales invoice {ApiErrors.Echo(number)} does not exist.");
            if (invoice.CustomerId != customer.Id) throw ApiErrors.Dialog($"The sales invoice {invoice.Number} is not an invoice of customer {customer.Number}.");
            if (invoice.Status != "Open" || invoice.RemainingAmount <= 0) throw ApiErrors.Dialog($"The sales invoice {invoice.Number} is not open.");
            if (cents > invoice.RemainingAmount)
                throw ApiErrors.Dialog($"{Wire.FromScaled(cents, 2)} is more than the {Wire.FromScaled(invoice.RemainingAmount, 2)} left to pay on sales invoice {invoice.Number}.");
            if (applied.Any(a => a.InvoiceId == invoice.Id)) throw ApiErrors.Dialog($"The sales invoice {invoice.Number} is named twice.");
            applied.Add(new Applied(invoice.Id, invoice.Number, cents));
        }
        if (applied.Sum(a => a.Cents) > line.Amount)
            throw ApiErrors.Dialog($"The amounts add up to {Wire.FromScaled(applied.Sum(a => a.Cents), 2)}, more than the line's {Wire.FromScaled(line.Amount, 2)}.");
        Choose(line, customer.Id, customer.Number, applied);
    }

    /// <summary>
    /// Why applying <paramref name="applied"/> now would apply an invoice twice (it is paid, no longer the customer's, or has
    /// less left than the amount, counting what this unit applied already), or null when it would not.
    /// </summary>
    private static async Task<string?> StaleAsync(AppDb db, Guid company, Guid customerId, List<Applied> applied, Dictionary<Guid, long> used, CancellationToken ct)
    {
        var ids = applied.Select(a => a.InvoiceId).ToList();
        var invoices = await db.SalesInvoices.AsNoTracking().Where(i => i.CompanyId == company && ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        foreach (var a in applied)
        {
            if (!invoices.TryGetValue(a.InvoiceId, out var invoice) || invoice.CustomerId != customerId) return $"Sales invoice {a.Number} is gone";
            var left = invoice.RemainingAmount - used.GetValueOrDefault(a.InvoiceId);
            if (invoice.Status != "Open" || left <= 0) return $"Sales invoice {a.Number} was paid";
            if (a.Cents > left) return $"Sales invoice {a.Number} has only {Wire.FromScaled(left, 2)} left to pay";
        }
        return null;
    }

    private static async Task ProposeAgainAsync(AppDb db, Guid company, BankStatementLine line, CashApplication.Matching.Matcher matcher, CancellationToken ct)
    {
        await db.BankMatchProposals.Where(p => p.CompanyId == company && p.LineId == line.Id).ExecuteDeleteAsync(ct);
        db.BankMatchProposals.AddRange(LineMatching.Propose(matcher, line));
    }

    /// <summary>
    /// Every accepted line of the statement becomes a payment line of the journal, applied to its invoices: one invoice
    /// for the whole amount through appliesToInvoiceId, otherwise through the payment's applications. A line whose
    /// invoice was paid meanwhile is reopened with fresh proposals instead. The IBANs of the transferred lines are learned.
    /// </summary>
    public async Task TransferAsync(RequestContext rc, Guid company, BankStatement statement, IReadOnlyDictionary<string, object> parameters)
    {
        var db = rc.Db;
        var journals = db.CustomerPaymentJournals.AsNoTracking().Where(j => j.CompanyId == company);
        CustomerPaymentJournal journal;
        if (parameters.TryGetValue("journalId", out var jid))
        {
            var id = (Guid)jid;
            journal = await journals.FirstOrDefaultAsync(j => j.Id == id, rc.Aborted) ?? throw ApiErrors.Dialog($"The customer payment journal {id:D} does not exist.");
            if (parameters.TryGetValue("journalCode", out var code) && !string.Equals((string)code, journal.Code, StringComparison.OrdinalIgnoreCase))
                throw ApiErrors.Dialog("journalId and journalCode name different journals.");
        }
        else if (parameters.TryGetValue("journalCode", out var code))
        {
            var c = ((string)code).Trim().ToUpperInvariant();
            journal = await journals.FirstOrDefaultAsync(j => j.Code == c, rc.Aborted) ?? throw ApiErrors.Dialog($"The customer payment journal {ApiErrors.Echo(c)} does not exist.");
        }
        else throw ApiErrors.Dialog($"Name the customer payment journal: {Catalog.ActionNamespace}.{TransferToJournal} needs journalId or journalCode.");

        // Two transfers of one statement take turns (PostgreSQL; on SQLite the unit already holds the only write lock).
        await RowLocks.VersionAsync(db, statement, rc.Aborted);
        var lines = await db.BankStatementLines.Where(l => l.CompanyId == company && l.BankStatementId == statement.Id && l.Status == BankStatementLine.Accepted)
            .OrderBy(l => l.LineNumber).ToListAsync(rc.Aborted);
        if (lines.Count == 0)
            throw ApiErrors.Dialog($"Statement {statement.StatementNumber} has no accepted lines left to transfer.");

        var payments = (EntitySetDef)rc.Catalog.Set("customerPayments");
        var nav = rc.Catalog.Set("customerPaymentJournals").FindNavigation("customerPayments", Surfaces.V2)!;
        var scope = new Scope(company, nav, journal.Id, journal);
        var used = new Dictionary<Guid, long>();
        var mappings = await db.CustomerIbanMappings.Where(m => m.CompanyId == company).ToDictionaryAsync(m => m.Iban, rc.Aborted);
        CashApplication.Matching.Matcher? matcher = null;
        foreach (var line in lines)
        {
            var applied = Applied.Parse(line.ApplicationsData);
            if (await StaleAsync(db, company, line.CustomerId, applied, used, rc.Aborted) is { } stale)
            {
                Clear(line);
                line.Status = BankStatementLine.Open;
                line.Note = Clip(stale + " before the transfer; the line has fresh proposals.", 250);
                await ProposeAgainAsync(db, company, line, matcher ??= await LineMatching.ForCompanyAsync(db, company, options, rc.Aborted), rc.Aborted);
                await NotifyAsync(rc, company, "bankStatementLines", line);
                continue;
            }
            foreach (var a in applied) used[a.InvoiceId] = used.GetValueOrDefault(a.InvoiceId) + a.Cents;
            var single = applied.Count == 1 && applied[0].Cents == line.Amount;
            var body = new Dictionary<string, object?>
            {
                ["customerId"] = line.CustomerId.ToString("D"),
                ["postingDate"] = Wire.Date(line.BookingDate),
                ["amount"] = -Wire.FromScaled(line.Amount, 2),
                ["externalDocumentNumber"] = Clip(ExternalDocument(line), 20),
                ["description"] = Clip(Description(line), 50),
            };
            if (single) body["appliesToInvoiceId"] = applied[0].InvoiceId.ToString("D");
            using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(body));
            var payment = (CustomerPayment)await payments.CreateAsync(rc, scope, Body.FromElement(json.RootElement, payments, Surfaces.V2, isCreate: true));
            if (!single)
                for (var i = 0; i < applied.Count; i++)
                    db.PaymentApplications.Add(new PaymentApplication
                    {
                        Id = SequentialIds.Next(), CompanyId = company, PaymentId = payment.Id, InvoiceId = applied[i].InvoiceId,
                        InvoiceNumber = applied[i].Number, Amount = applied[i].Cents, Sequence = i + 1,
                    });
            line.Status = BankStatementLine.Transferred;
            line.JournalId = journal.Id;
            line.PaymentId = payment.Id;
            line.Note = "";
            Learn(db, mappings, company, line);
            // The next line's number and defaults are read from the journal's saved lines.
            await db.SaveChangesAsync(rc.Aborted);
            if (webhooks is not null) await webhooks.RecordAsync(db, company, payments, payment, WebhookOutbox.Created, rc.Aborted);
            await NotifyAsync(rc, company, "bankStatementLines", line);
        }
        await db.SaveChangesAsync(rc.Aborted);
    }

    /// <summary>The payer's IBAN now counts one more payment of the customer (a mapping to another customer moves to this one).</summary>
    private static void Learn(AppDb db, Dictionary<string, CustomerIbanMapping> mappings, Guid company, BankStatementLine line)
    {
        var iban = CustomerIbanMappingsSet.NormalIban(line.CounterpartyIban);
        if (iban.Length == 0) return;
        if (mappings.TryGetValue(iban, out var m))
        {
            if (m.CustomerId == line.CustomerId) m.Payments++;
            else { m.CustomerId = line.CustomerId; m.CustomerNumber = line.CustomerNumber; m.Payments = 1; }
            return;
        }
        m = new CustomerIbanMapping { Id = SequentialIds.Next(), CompanyId = company, Iban = iban, CustomerId = line.CustomerId, CustomerNumber = line.CustomerNumber, Payments = 1 };
        mappings[iban] = m;
        db.CustomerIbanMappings.Add(m);
    }

    private static string ExternalDocument(BankStatementLine line) =>
        line.EndToEndId.Length > 0 && !line.EndToEndId.Equals("NOTPROVIDED", StringComparison.OrdinalIgnoreCase) ? line.EndToEndId
        : line.StructuredReference.Length > 0 ? line.StructuredReference : line.BankReference;

    private static string Description(BankStatementLine line) =>
        string.Join(" ", new[] { line.CounterpartyName, line.RemittanceText }.Where(s => s.Length > 0)).ReplaceLineEndings(" ");

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max];

    private async Task NotifyAsync(RequestContext rc, Guid company, string set, object entity)
    {
        if (webhooks is not null) await webhooks.RecordAsync(rc.Db, company, rc.Catalog.Set(set), entity, WebhookOutbox.Updated, rc.Aborted);
    }
}
