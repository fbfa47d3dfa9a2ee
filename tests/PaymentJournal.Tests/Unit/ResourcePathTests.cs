using PaymentJournal.Errors;
using PaymentJournal.OData;

namespace PaymentJournal.Tests.Unit;

/// <summary>
/// The resource path parser on the service's catalog, without a server or a database: what a path addresses, and
/// every error it gives (status, code and message), with the steps before the bad segment that are checked first.
/// </summary>
public sealed class ResourcePathTests
{
    private const string C = "c0000000-0000-4000-8000-000000000001";
    private const string J = "a0000000-0000-4000-8000-000000000002";
    private const string P = "b0000000-0000-4000-8000-000000000003";
    private static readonly Catalog Catalog = StandardCatalog.Instance;

    private static ResourcePath V2(string path) => ResourcePath.Parse(Catalog, Catalog.V2, path);
    private static ResourcePath Graph(string path) => ResourcePath.Parse(Catalog, Catalog.Graph, path);
    private static ResourcePath Posting(string path) => ResourcePath.Parse(Catalog, Catalog.GroupSurfaces.Single(s => s.Group!.Name == "posting"), path);

    private static string Steps(ResourcePath p) =>
        string.Join("/", p.Steps.Select(s => s.Kind + ":" + s.Set.Name + (s.Via is null ? "" : "~" + s.Via.Name)
            + (s.KeyParent is { } kp ? $"({kp:D},{s.Key:D})" : s.Key is { } k ? $"({k:D})" : "")));

    private static void SameError(ApiException expected, ResourcePath p)
    {
        Assert.NotNull(p.Error);
        Assert.Equal((expected.Status, expected.Code, expected.Message), (p.Error!.Status, p.Error.Code, p.Error.Message));
    }

    [Fact]
    public void A_collection_under_a_journal_names_the_company_the_journal_and_the_navigation()
    {
        var p = V2($"companies({C})/customerPaymentJournals({J})/customerPayments");
        Assert.Null(p.Error);
        Assert.Equal(PathTarget.Collection, p.Target);
        Assert.Equal($"Companies:companies({C})/CompanySet:customerPaymentJournals({J})/Navigation:customerPayments~customerPayments", Steps(p));
        Assert.Equal($"companies({C})/customerPaymentJournals({J})/customerPayments", p.Context);
        Assert.Equal("companies/customerPaymentJournals/customerPayments", p.EdmPathText);
        Assert.Equal("customerPayments", p.Set.Name);
        // Each step knows the segment after it (whether a GET may leave the parent unloaded), the last one none.
        Assert.Equal(["customerPaymentJournals", "customerPayments", null], p.Steps.Select(s => s.Next));
    }

    [Theory]
    [InlineData($"companies({C})/customerPaymentJournals({J})")]
    [InlineData($"companies(id={C})/customerPaymentJournals(id={J})")]
    [InlineData($"companies('{C}')/customerPaymentJournals('{J}')")]
    [InlineData($"/companies({C})//customerPaymentJournals({J})/")]
    [InlineData($"companies%28{C}%29/customerPaymentJournals({J})")]
    public void A_key_in_parentheses_is_a_guid_bare_named_id_or_quoted(string path)
    {
        var p = V2(path);
        Assert.Null(p.Error);
        Assert.Equal(PathTarget.Entity, p.Target);
        Assert.Equal($"Companies:companies({C})/CompanySet:customerPaymentJournals({J})", Steps(p));
        Assert.Equal($"companies({C})/customerPaymentJournals({J})", p.Context);
        Assert.Equal($"companies({C})/customerPaymentJournals", p.CollectionContext);
    }

    [Fact]
    public void On_Graph_a_key_is_also_a_segment_of_its_own()
    {
        var p = Graph($"companies/{C}/customerPaymentJournals/{J}/customerPayments/{P}");
        Assert.Null(p.Error);
        Assert.Equal(PathTarget.Entity, p.Target);
        Assert.Equal($"Companies:companies({C})/CompanySet:customerPaymentJournals({J})/Navigation:customerPayments~customerPayments({P})", Steps(p));
        Assert.Equal($"companies({C})/customerPaymentJournals({J})/customerPayments({P})", p.Context);
        // On v2.0 the same segment is a name, which no set has.
        SameError(ApiErrors.ResourceNotFound(C), V2($"companies/{C}"));
    }

    [Fact]
    public void A_contained_set_is_reached_through_its_parent_and_under_the_company_the_error_names_that_path()
    {
        // customerPayments are company-level on v2.0, contained in their journal on Graph.
        Assert.Null(V2($"companies({C})/customerPayments({P})").Error);
        var p = Graph($"companies/{C}/customerPayments");
        SameError(Catalog.NotUnderCompany("customerPayments", Catalog.Graph), p);
        Assert.Contains("companies/{id}/customerPaymentJournals/{id}/customerPayments", p.Error!.Message);
        Assert.Equal($"Companies:companies({C})", Steps(p));
        SameError(ApiErrors.ResourceNotFound("dimensionSetLines"), Graph($"companies/{C}/customerPaymentJournals/{J}/customerPayments/{P}/dimensionSetLines"));
    }

    [Fact]
    public void A_set_with_a_two_part_key_reads_both_parts_in_either_order()
    {
        foreach (var key in new[] { $"parentId={P},id={J}", $"id={J},parentId={P}", $"parentId='{P}', id='{J}'" })
        {
            var p = Graph($"companies/{C}/dimensionLines({key})");
            Assert.Null(p.Error);
            Assert.Equal($"Companies:companies({C})/CompanySet:dimensionLines({P},{J})", Steps(p));
            Assert.Equal($"companies({C})/dimensionLines(parentId={P},id={J})", p.Context);
        }
        var twoPart = ApiErrors.BadRequest("The key of dimensionLines has two parts: write dimensionLines(parentId={parentId},id={id}).");
        SameError(twoPart, Graph($"companies/{C}/dimensionLines({J})"));
        SameError(twoPart, Graph($"companies/{C}/dimensionLines(parentId={P},parentId={P})"));
        SameError(twoPart, Graph($"companies/{C}/dimensionLines(parentId={P},id={J},id={J})"));
        SameError(ApiErrors.InvalidGuid("dimensionLines id", "x"), Graph($"companies/{C}/dimensionLines(parentId={P},id=x)"));
    }

    [Fact]
    public void A_bound_action_ends_the_path_and_on_Graph_post_may_go_without_its_namespace()
    {
        var p = V2($"companies({C})/customerPaymentJournals({J})/Microsoft.NAV.post");
        Assert.Null(p.Error);
        Assert.Equal((PathTarget.Action, "post"), (p.Target, p.Action));
        Assert.Equal($"Companies:companies({C})/CompanySet:customerPaymentJournals({J})", Steps(p));
        Assert.Equal("Microsoft.NAV.post", p.Steps[^1].Next);

        var graph = Graph($"companies/{C}/customerPaymentJournals/{J}/post");
        Assert.Equal((PathTarget.Action, "post"), (graph.Target, graph.Action));
        // Only Graph knows the bare name; an action the set does not have is an unknown segment; nothing follows an action.
        SameError(ApiErrors.ResourceNotFound("post"), V2($"companies({C})/customerPaymentJournals({J})/post"));
        SameError(ApiErrors.ResourceNotFound("Microsoft.NAV.post"), V2($"companies({C})/customers({J})/Microsoft.NAV.post"));
        SameError(ApiErrors.ResourceNotFound("more"), V2($"companies({C})/customerPaymentJournals({J})/Microsoft.NAV.post/more"));
        // An action of a collection is no action: actions are bound to an entity.
        SameError(ApiErrors.ResourceNotFound("Microsoft.NAV.post"), V2($"companies({C})/customerPaymentJournals/Microsoft.NAV.post"));
    }

    [Fact]
    public void An_action_a_surface_accepts_though_not_in_its_metadata_is_parsed_there()
    {
        // The posting group serves the journals' post; v2.0 keeps it as an alias or advertises it.
        Assert.Equal(PathTarget.Action, Posting($"companies({C})/customerPaymentJournals({J})/Microsoft.NAV.post").Target);
        Assert.Equal(PathTarget.Action, V2($"companies({C})/journals({J})/Microsoft.NAV.post").Target);
    }

    [Fact]
    public void Count_follows_a_collection_only()
    {
        var p = V2($"companies({C})/customerPaymentJournals({J})/customerPayments/$count");
        Assert.Null(p.Error);
        Assert.Equal(PathTarget.Count, p.Target);
        Assert.Equal("customerPayments", p.Set.Name);
        Assert.Equal("companies/customerPaymentJournals/customerPayments", p.EdmPathText);
        Assert.Equal(PathTarget.Count, V2("companies/$count").Target);
        Assert.Equal(PathTarget.Count, Graph($"companies/{C}/customers/$count").Target);
        SameError(ApiErrors.ResourceNotFound("$count"), V2($"companies({C})/customers({P})/$count"));
        SameError(ApiErrors.ResourceNotFound("x"), V2($"companies({C})/customers/$count/x"));
        SameError(ApiErrors.ResourceNotFound("$count"), V2($"companies({C})/customers/$count({P})"));
    }

    [Fact]
    public void A_single_navigation_takes_no_key_and_what_follows_it_is_read_from_its_target()
    {
        var p = V2($"companies({C})/customerPayments({P})/customer");
        Assert.Null(p.Error);
        Assert.Equal(PathTarget.SingleNavigation, p.Target);
        Assert.Equal($"Companies:companies({C})/CompanySet:customerPayments({P})/SingleNavigation:customers~customer", Steps(p));
        Assert.Equal($"companies({C})/customerPayments({P})/customer", p.Context);
        Assert.Equal("companies/customerPayments/customer", p.EdmPathText);

        var lines = V2($"companies({C})/customerPayments({P})/customerPaymentJournal/customerPayments");
        Assert.Equal(PathTarget.Collection, lines.Target);
        Assert.Equal("SingleNavigation:customerPaymentJournals~customerPaymentJournal/Navigation:customerPayments~customerPayments",
            string.Join("/", Steps(lines).Split('/')[^2..]));
        SameError(ApiErrors.ResourceNotFound("customer"), V2($"companies({C})/customerPayments({P})/customer({J})"));
    }

    [Theory]
    [InlineData($"companies({C})/customers(nope)", "customers key", "nope", 1)]
    [InlineData($"companies({C})/customers({P}0)", "customers key", $"{P}0", 1)]
    [InlineData($"companies({C})/customers(id={{{P}}})", "customers key", $"{{{P}}}", 1)]
    [InlineData($"companies({C})/customerPaymentJournals({J})/customerPayments(12)", "customerPayments key", "12", 2)]
    [InlineData("companies(1)/customers", "companies key", "1", 0)]
    public void A_key_that_is_no_guid_is_a_400_after_the_steps_before_it(string path, string property, string value, int stepsBefore)
    {
        var p = V2(path);
        SameError(ApiErrors.InvalidGuid(property, value), p);
        Assert.Equal(400, p.Error!.Status);
        Assert.Equal(stepsBefore, p.Steps.Count);
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("customers", "customers", 0)]
    [InlineData($"companies({C})/customers/nope", "nope", 2)]
    [InlineData($"companies({C})/customers({P})/nope", "nope", 2)]
    [InlineData($"companies({C})/customers({P})/customerPayments", "customerPayments", 2)]
    [InlineData("companies/customers", "customers", 1)]
    public void An_unknown_segment_is_a_404_that_names_it(string path, string segment, int stepsBefore)
    {
        var p = V2(path);
        SameError(ApiErrors.ResourceNotFound(segment), p);
        Assert.Equal(stepsBefore, p.Steps.Count);
    }

    [Fact]
    public void A_set_the_surface_does_not_serve_under_the_company_is_a_404_after_the_company()
    {
        var p = V2($"companies({C})/nope");
        SameError(Catalog.NotUnderCompany("nope", Catalog.V2), p);
        Assert.Equal($"Companies:companies({C})", Steps(p));
        // dimensionLines are Graph's; the ledger group serves two sets only.
        SameError(Catalog.NotUnderCompany("dimensionLines", Catalog.V2), V2($"companies({C})/dimensionLines"));
        SameError(Catalog.NotUnderCompany("customers", Catalog.GroupSurfaces[0]), ResourcePath.Parse(Catalog, Catalog.GroupSurfaces[0], $"companies({C})/customers"));
    }

    [Fact]
    public void A_segment_with_an_unclosed_parenthesis_or_malformed_escapes_fails_before_any_step()
    {
        var p = V2($"companies({C})/customers({P}");
        SameError(ApiErrors.ResourceNotFound($"customers({P}"), p);
        Assert.Empty(p.Steps);
        var malformed = V2($"companies({C})/%C3%28");
        Assert.Equal(400, malformed.Error!.Status);
        Assert.Empty(malformed.Steps);
    }
}
