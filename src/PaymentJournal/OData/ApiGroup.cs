namespace PaymentJournal.OData;

/// <summary>
/// An API group of our own, published as a Business Central extension publishes one:
/// <c>/api/paymentjournal/{Name}/{Version}/companies({id})/...</c>, with its own service document, $metadata and
/// $batch. Adding a group is a registration in <see cref="App"/>; the routes, model and behaviour follow from it.
/// </summary>
public sealed class ApiGroup
{
    public const string Publisher = "paymentjournal";

    /// <summary>The group's name in the URL, e.g. ledger.</summary>
    public required string Name { get; init; }
    public string Version { get; init; } = "v1.0";
    /// <summary>Entity sets served under a company in this group; their sub-pages come along.</summary>
    public required IReadOnlyList<string> Sets { get; init; }
    /// <summary>Bound actions served in this group, as "set/action" (e.g. customerPaymentJournals/post).</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];
    /// <summary>
    /// The sets and "set/action"s of this group that Business Central's standard API does not have: the standard
    /// roots neither serve nor advertise them.
    /// </summary>
    public IReadOnlyList<string> NotStandard { get; init; } = [];
    /// <summary>
    /// Of <see cref="NotStandard"/>, what the standard roots still accept because clients of this service depend on
    /// it; their $metadata does not show it.
    /// </summary>
    public IReadOnlyList<string> StandardAliases { get; init; } = [];

    public string Root => $"/api/{Publisher}/{Name}/{Version}/";
}
