using System.Linq.Expressions;
using PaymentJournal.Data;
using PaymentJournal.Features.Journals;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CustomerPaymentJournals;

/// <summary>customerPaymentJournals: the batches of the cash receipts template, with their customerPayments.</summary>
public sealed class CustomerPaymentJournalsSet : JournalBatchSet<CustomerPaymentJournal, CustomerPayment>
{
    private readonly ICommitObserver? _observer;

    public override string Name => "customerPaymentJournals";
    public override string TypeName => "customerPaymentJournal";
    public override IReadOnlyList<string> Actions => ["post"];
    protected override string Caption => "Customer Payment Journal";
    protected override string LinesSet => "customerPayments";

    public CustomerPaymentJournalsSet(ICommitObserver? observer = null, Webhooks.WebhookOutbox? webhooks = null) : base(webhooks)
    {
        _observer = CommitObserver.Active(observer);
        Navigations.Add(new NavigationDef
        {
            Name = "account", TargetSet = "accounts", IsCollection = false, Surfaces = Surfaces.Graph,
            TargetKey = o => ((CustomerPaymentJournal)o).BalancingAccountId,
        });
    }

    protected override Task Invoke(RequestContext rc, Scope scope, CustomerPaymentJournal journal, string action) =>
        Posting.JournalPoster.PostAsync(rc, journal, _observer, WebhookOutbox);
}
