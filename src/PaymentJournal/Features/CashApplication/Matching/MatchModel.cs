namespace PaymentJournal.Features.CashApplication.Matching;

/// <summary>A customer as the matcher sees it.</summary>
public sealed record MatchCustomer(Guid Id, string Number, string Name);

/// <summary>An open sales invoice: what is left to pay on it, in cents.</summary>
public sealed record OpenInvoice(Guid Id, string Number, string ExternalDocumentNumber, Guid CustomerId, long RemainingCents, DateOnly DueDate);

/// <summary>An account number seen on accepted payments of a customer (learned, editable).</summary>
public sealed record IbanMapping(string Iban, Guid CustomerId, int Payments);

/// <summary>A credit line of a bank statement to find the payer and invoices of; texts are the remittance, references and ids.</summary>
public sealed record PaymentToMatch(long AmountCents, string? CounterpartyName, string? CounterpartyIban, IReadOnlyList<string> Texts);

/// <summary>
/// How close an amount must be to count as equal: the larger of a fixed amount (cents) and a share of the payment
/// (percent); both 0 by default, an exact match.
/// </summary>
public sealed record MatchSettings(long ToleranceCents = 0, decimal TolerancePercent = 0, int MaxProposals = 3, int MaxCombinedInvoices = 4);

/// <summary>How sure a proposal is, with Business Central's names.</summary>
public enum MatchConfidence { None, Low, Medium, High }

/// <summary>An amount of the payment applied to one invoice.</summary>
public sealed record InvoiceApplication(Guid InvoiceId, string InvoiceNumber, long AmountCents);

/// <summary>One proposal for a payment: the customer, the invoices with an amount each, a score, a confidence and the reasons.</summary>
public sealed record MatchProposal(
    Guid CustomerId,
    string CustomerNumber,
    string CustomerName,
    IReadOnlyList<InvoiceApplication> Applications,
    int Score,
    MatchConfidence Confidence,
    IReadOnlyList<string> Reasons);
