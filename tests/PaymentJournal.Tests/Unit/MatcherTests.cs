using PaymentJournal.Features.CashApplication.Matching;

namespace PaymentJournal.Tests.Unit;

/// <summary>Cash application's matcher: every signal, the confidence rules, and its quality on the labelled evaluation set.</summary>
public sealed class MatcherTests
{
    private static readonly MatchCustomer Adatum = new(Guid.Parse("00000000-0000-0000-0000-00000000000a"), "10000", "Adatum Corporation");
    private static readonly MatchCustomer Trey = new(Guid.Parse("00000000-0000-0000-0000-00000000000b"), "20000", "Trey Research GmbH");
    private static readonly MatchCustomer School = new(Guid.Parse("00000000-0000-0000-0000-00000000000c"), "30000", "School of Fine Art");

    private static OpenInvoice Invoice(string number, MatchCustomer c, long cents, int day, string external = "") =>
        new(Guid.NewGuid(), number, external, c.Id, cents, new DateOnly(2026, 11, day));

    private static readonly OpenInvoice A1 = Invoice("103001", Adatum, 120_000, 1);
    private static readonly OpenInvoice A2 = Invoice("103004", Adatum, 45_050, 5, "PO-4711");
    private static readonly OpenInvoice A3 = Invoice("103007", Adatum, 30_000, 9);
    private static readonly OpenInvoice T1 = Invoice("103002", Trey, 45_050, 2);
    private static readonly OpenInvoice T2 = Invoice("103005", Trey, 99_900, 6);
    private static readonly OpenInvoice S1 = Invoice("103003", School, 77_700, 3);

    private static Matcher Make(MatchSettings? settings = null, params IbanMapping[] ibans) =>
        new([Adatum, Trey, School], [A1, A2, A3, T1, T2, S1], ibans, settings ?? new MatchSettings());

    private static MatchProposal First(Matcher m, long cents, string? name, string? iban, params string[] texts) =>
        Assert.IsType<MatchProposal>(m.Propose(new PaymentToMatch(cents, name, iban, texts)).FirstOrDefault());

    [Theory]
    [InlineData("103004")]
    [InlineData("Invoice 103004, thank you")]
    [InlineData("INV-103004")]
    [InlineData("inv103004")]
    [InlineData("Rechnung Nr. 103 004")]
    [InlineData("Payment 000103004")]
    [InlineData("Your order PO-4711")]
    public void An_invoice_or_external_document_number_in_the_text_is_found_with_prefixes_spaces_and_leading_zeros(string text)
    {
        var p = First(Make(), 45_050, null, null, text);
        Assert.Equal(Adatum.Id, p.CustomerId);
        Assert.Equal(A2.Id, Assert.Single(p.Applications).InvoiceId);
        Assert.Contains(text.Contains("PO") ? "order number PO-4711 of invoice 103004 named in the remittance text" : "invoice 103004 named in the remittance text", p.Reasons);
        // The same amount is also Trey's invoice: the number decides.
        Assert.Contains("amount equals the remaining amount of invoice 103004", p.Reasons);
    }

    [Fact]
    public void A_number_inside_a_longer_number_does_not_count()
    {
        Assert.DoesNotContain(Make().Propose(new PaymentToMatch(1_000, null, null, ["1031004", "9103004"])),
            p => p.Applications.Any(a => a.InvoiceId == A2.Id));
    }

    [Fact]
    public void Several_numbers_in_one_text_settle_those_invoices_in_the_order_named_and_say_so()
    {
        var p = First(Make(), 75_050, null, null, "Inv 103007 + 103004");
        Assert.Equal([(A3.Id, 30_000L), (A2.Id, 45_050L)], p.Applications.Select(a => (a.InvoiceId, a.AmountCents)));
        Assert.Equal(MatchConfidence.High, p.Confidence); // several documents and the amount: Business Central's rule
        Assert.Contains("amount equals the remaining amounts of the invoices named", p.Reasons);
        // Less money than the invoices named: the first ones get it, the last the rest.
        var partial = First(Make(), 40_000, null, null, "Inv 103007 + 103004");
        Assert.Equal([30_000L, 10_000L], partial.Applications.Select(a => a.AmountCents));
        Assert.Contains("pays part of invoice 103004", partial.Reasons);
    }

    [Fact]
    public void An_amount_equal_to_a_combination_of_one_customers_open_invoices_proposes_them_together()
    {
        var p = First(Make(), 150_000, "Adatum Corporation", null, "Payment");
        Assert.Equal(new[] { A1.Id, A3.Id }.ToHashSet(), p.Applications.Select(a => a.InvoiceId).ToHashSet());
        Assert.Contains("amount equals invoices 103001 + 103007 together", p.Reasons);
        // Without anything naming the payer, a combination is not guessed.
        Assert.Empty(Make().Propose(new PaymentToMatch(150_000, null, null, ["Payment"])));
    }

    [Fact]
    public void The_payment_tolerance_widens_what_counts_as_the_same_amount()
    {
        Assert.DoesNotContain("amount equals the remaining amount of invoice 103003", First(Make(), 77_650, "School of Fine Art", null).Reasons);
        var p = First(Make(new MatchSettings(ToleranceCents: 100)), 77_650, "School of Fine Art", null);
        Assert.Contains("amount equals the remaining amount of invoice 103003", p.Reasons);
        Assert.Equal(MatchConfidence.High, p.Confidence);
        Assert.Contains("amount equals the remaining amount of invoice 103003",
            First(Make(new MatchSettings(TolerancePercent: 0.1m)), 77_650, "School of Fine Art", null).Reasons);
    }

    [Theory]
    [InlineData("ADATUM CORP.", 100)]
    [InlineData("Adatum Corporaton", 80)]
    [InlineData("adatum", 100)]
    public void The_payers_name_is_compared_without_case_legal_forms_and_with_typos(string payer, int atLeast)
    {
        var p = First(Make(), 1_000, payer, null);
        Assert.Equal(Adatum.Id, p.CustomerId);
        var reason = Assert.Single(p.Reasons, r => r.StartsWith("name matches customer Adatum Corporation", StringComparison.Ordinal));
        Assert.True(int.Parse(reason.Split(' ')[^1].TrimEnd('%')) >= atLeast, reason);
    }

    [Fact]
    public void A_known_IBAN_names_the_customer_and_with_the_amount_of_one_invoice_is_High()
    {
        var m = Make(null, new IbanMapping("DE44 5001 0517 5407 3249 31", School.Id, 3));
        var p = First(m, 77_700, "Someone Else", "DE44500105175407324931");
        Assert.Equal(School.Id, p.CustomerId);
        Assert.Equal(MatchConfidence.High, p.Confidence);
        Assert.Contains("IBAN DE44 5001 0517 5407 3249 31 seen on 3 earlier payments of this customer", p.Reasons);
    }

    [Fact]
    public void Confidence_follows_Business_Centrals_rules()
    {
        var m = Make();
        // The number and the amount without the party: Medium.
        Assert.Equal(MatchConfidence.Medium, First(m, 77_700, null, null, "103003").Confidence);
        // The party, the number and the amount: High.
        Assert.Equal(MatchConfidence.High, First(m, 77_700, "School of Fine Art", null, "103003").Confidence);
        // The amount of one invoice and nothing else: Low.
        var low = First(m, 99_900, null, null, "thanks");
        Assert.Equal((Trey.Id, MatchConfidence.Low), (low.CustomerId, low.Confidence));
        // The party alone: Low, a payment on the oldest invoice.
        var party = First(m, 5_000, "Trey Research", null);
        Assert.Equal(MatchConfidence.Low, party.Confidence);
        Assert.Equal(T1.Id, Assert.Single(party.Applications).InvoiceId);
        Assert.Contains("pays part of invoice 103002", party.Reasons);
    }

    [Fact]
    public void A_stranger_gets_no_proposal_and_a_paid_invoice_is_not_proposed()
    {
        Assert.Empty(Make().Propose(new PaymentToMatch(12_345, "Max Mustermann", "DE02120300000000202051", ["Refund"])));
        var withoutA2 = new Matcher([Adatum, Trey, School], [A1, A3, T1, T2, S1 with { }, A2 with { RemainingCents = 0 }], [], new MatchSettings());
        Assert.DoesNotContain(withoutA2.Propose(new PaymentToMatch(45_050, null, null, ["103004"])), p => p.Applications.Any(a => a.InvoiceId == A2.Id));
    }

    [Fact]
    public void An_overpayment_settles_the_invoice_and_says_what_is_left()
    {
        var p = First(Make(), 46_050, "Adatum", null, "103004");
        Assert.Equal(45_050, Assert.Single(p.Applications).AmountCents);
        Assert.Contains("10.00 more than the invoices applied", p.Reasons);
    }

    [Fact]
    public void Matching_is_deterministic_whatever_the_order_of_its_inputs()
    {
        var set = EvaluationSet.Generate(7, 200, 2_000, 300);
        var a = new Matcher(set.Customers, set.Invoices, set.Ibans, new MatchSettings());
        var b = new Matcher(set.Customers.Reverse(), set.Invoices.Reverse(), set.Ibans.Reverse(), new MatchSettings());
        foreach (var c in set.Cases)
        {
            var x = a.Propose(c.Payment);
            var y = b.Propose(c.Payment);
            Assert.Equal(x.Select(Key), y.Select(Key));
        }
        static string Key(MatchProposal p) =>
            $"{p.CustomerId} {p.Score} {p.Confidence} {string.Join(",", p.Applications.Select(a => $"{a.InvoiceId}:{a.AmountCents}"))} {string.Join("|", p.Reasons)}";
    }

    [Fact]
    public void On_the_labelled_set_High_proposals_are_at_least_99_5_percent_right_and_90_percent_of_payable_lines_get_the_right_first_proposal()
    {
        var set = EvaluationSet.Generate(20261206, 500, 10_000, 2_000);
        var report = set.Evaluate(new Matcher(set.Customers, set.Invoices, set.Ibans, new MatchSettings()));
        Assert.True(report.ByLevel[MatchConfidence.High].Proposed > 500, report.ToString());
        Assert.True(report.Precision(MatchConfidence.High) >= 0.995, report.ToString());
        Assert.True(report.FirstRightShare >= 0.90, report.ToString());
    }
}
