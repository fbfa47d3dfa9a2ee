using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.Accounts;
using PaymentJournal.Features.Companies;
using PaymentJournal.Features.CustomerPaymentJournals;
using PaymentJournal.Features.CustomerPayments;
using PaymentJournal.Features.Customers;
using PaymentJournal.OData;
using Xunit;

namespace PaymentJournal.Tests.Unit;

public sealed class QueryBinderTests(QueryBinderDatabase database) : IClassFixture<QueryBinderDatabase>
{
    // ------------------------------------------------------------------ model and fields

    private static readonly IReadOnlyList<FieldDef<CustomerPayment>> PaymentFields = new FieldsBuilder<CustomerPayment>()
        .Key("id", x => x.Id)
        .Guid("customerId", x => x.CustomerId)
        .Int32("lineNumber", x => x.LineNumber)
        .Decimal("amount", x => x.Amount)
        .Date("postingDate", x => x.PostingDate)
        .Code("customerNumber", x => x.CustomerNumber, 20)
        .String("description", x => x.Description, 100)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    private static readonly IReadOnlyList<FieldDef<Customer>> CustomerFields = new FieldsBuilder<Customer>()
        .Key("id", x => x.Id)
        .Code("number", x => x.Number, 20)
        .Enum("blocked", "customerBlocked", ["_x0020_", "Ship", "Invoice", "All"], x => x.Blocked)
        .Fields;

    private static readonly IReadOnlyList<FieldDef<Account>> AccountFields = new FieldsBuilder<Account>()
        .Key("id", x => x.Id)
        .Code("number", x => x.Number, 20)
        .Boolean("directPosting", x => x.DirectPosting)
        .Fields;

    private static readonly EdmModel Model;
    private static readonly EdmEntityType PaymentType, CustomerType, AccountType;
    private static readonly EdmEntitySet Payments, Customers, Accounts;

    static QueryBinderTests()
    {
        Model = new EdmModel();
        var blocked = new EdmEnumType("Microsoft.NAV", "customerBlocked");
        string[] members = ["_x0020_", "Ship", "Invoice", "All"];
        for (var i = 0; i < members.Length; i++) blocked.AddMember(members[i], new EdmEnumMemberValue(i));
        Model.AddElement(blocked);

        PaymentType = new EdmEntityType("Microsoft.NAV", "customerPayment");
        PaymentType.AddKeys(PaymentType.AddStructuralProperty("id", EdmPrimitiveTypeKind.Guid, false));
        PaymentType.AddStructuralProperty("customerId", EdmPrimitiveTypeKind.Guid, false);
        PaymentType.AddStructuralProperty("lineNumber", EdmPrimitiveTypeKind.Int32, false);
        PaymentType.AddStructuralProperty("amount", EdmPrimitiveTypeKind.Decimal, false);
        PaymentType.AddStructuralProperty("postingDate", EdmPrimitiveTypeKind.Date, false);
        PaymentType.AddStructuralProperty("customerNumber", EdmPrimitiveTypeKind.String, false);
        PaymentType.AddStructuralProperty("description", EdmPrimitiveTypeKind.String, false);
        PaymentType.AddStructuralProperty("lastModifiedDateTime", EdmPrimitiveTypeKind.DateTimeOffset, false);
        PaymentType.AddStructuralProperty("comment", EdmPrimitiveTypeKind.String, false); // in $metadata but not filterable here
        Model.AddElement(PaymentType);

        CustomerType = new EdmEntityType("Microsoft.NAV", "customer");
        CustomerType.AddKeys(CustomerType.AddStructuralProperty("id", EdmPrimitiveTypeKind.Guid, false));
        CustomerType.AddStructuralProperty("number", EdmPrimitiveTypeKind.String, false);
        CustomerType.AddStructuralProperty("blocked", new EdmEnumTypeReference(blocked, false));
        Model.AddElement(CustomerType);

        AccountType = new EdmEntityType("Microsoft.NAV", "account");
        AccountType.AddKeys(AccountType.AddStructuralProperty("id", EdmPrimitiveTypeKind.Guid, false));
        AccountType.AddStructuralProperty("number", EdmPrimitiveTypeKind.String, false);
        AccountType.AddStructuralProperty("directPosting", EdmPrimitiveTypeKind.Boolean, false);
        Model.AddElement(AccountType);

        var container = new EdmEntityContainer("NAV", "NAV");
        Model.AddElement(container);
        Payments = container.AddEntitySet("customerPayments", PaymentType);
        Customers = container.AddEntitySet("customers", CustomerType);
        Accounts = container.AddEntitySet("accounts", AccountType);
    }

    private static ODataQueryOptionParser Parser(EdmEntityType type, EdmEntitySet set, string option, string value) =>
        new(Model, type, set, new Dictionary<string, string> { [option] = value })
        {
            Resolver = new StringAsEnumResolver { EnableCaseInsensitive = true },
        };

    private static FilterClause ParseFilter(string filter, EdmEntityType? type = null, EdmEntitySet? set = null) =>
        Parser(type ?? PaymentType, set ?? Payments, "$filter", filter).ParseFilter();

    private static FieldDef? PaymentField(string name) => PaymentFields.FirstOrDefault(f => f.Name == name);

    internal static Expression<Func<CustomerPayment, bool>> Bind(string filter) => QueryBinder.BindFilter<CustomerPayment>(ParseFilter(filter), PaymentField);

    internal static Expression<Func<Customer, bool>> BindCustomer(string filter) =>
        QueryBinder.BindFilter<Customer>(ParseFilter(filter, CustomerType, Customers), n => CustomerFields.FirstOrDefault(f => f.Name == n));

    internal static Expression<Func<Account, bool>> BindAccount(string filter) =>
        QueryBinder.BindFilter<Account>(ParseFilter(filter, AccountType, Accounts), n => AccountFields.FirstOrDefault(f => f.Name == n));

    internal static (LambdaExpression Key, bool Descending) BindOrder(string orderBy)
    {
        var clause = Parser(PaymentType, Payments, "$orderby", orderBy).ParseOrderBy();
        return (QueryBinder.BindOrderKey<CustomerPayment>(clause.Expression, PaymentField), clause.Direction == OrderByDirection.Descending);
    }

    /// <summary>The lines (1..6, line number / 10000) the filter selects, run on the SQLite database.</summary>
    private string Lines(string filter)
    {
        using var db = database.Open();
        var lines = db.CustomerPayments.Where(Bind(filter)).OrderBy(x => x.LineNumber).Select(x => x.LineNumber / 10000).ToList();
        return string.Join(",", lines);
    }

    private static ApiException Refused(string filter) => Assert.Throws<ApiException>(() => Bind(filter));

    // ------------------------------------------------------------------ comparison operators

    [Theory]
    [InlineData("amount eq -10", "2")]
    [InlineData("amount eq 10.01", "4")]
    [InlineData("amount eq 10.005", "")]
    [InlineData("amount eq 0", "5")]
    [InlineData("lineNumber eq 30000", "3")]
    public void Eq(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("amount ne 0", "1,2,3,4,6")]
    [InlineData("amount ne 10.005", "1,2,3,4,5,6")]
    [InlineData("customerNumber ne 'C00001'", "2,3,5,6")]
    public void Ne(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("amount lt -500", "")]
    [InlineData("amount lt -10", "1")]
    [InlineData("amount lt -499.999", "1")]
    [InlineData("amount lt 10.005", "1,2,3,5")]
    public void Lt(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("amount le -10", "1,2")]
    [InlineData("amount le 10.005", "1,2,3,5")]
    [InlineData("amount le -500.001", "")]
    public void Le(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("amount gt 10", "4,6")]
    [InlineData("amount gt 10.005", "4,6")]
    [InlineData("amount gt -10.001", "2,3,4,5,6")]
    [InlineData("amount gt 99999999999999999", "")]
    [InlineData("amount gt -99999999999999999", "1,2,3,4,5,6")]
    public void Gt(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("amount ge 10", "3,4,6")]
    [InlineData("amount ge 10.005", "4,6")]
    [InlineData("amount ge 1234567.89", "6")]
    [InlineData("amount ge 1234567.891", "")]
    public void Ge(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("amount gt 0 and customerNumber eq 'C00001'", "4")]
    [InlineData("customerNumber eq 'C00003' or amount lt -100", "1,3")]
    [InlineData("not (amount gt 0)", "1,2,5")]
    [InlineData("not not (amount gt 0)", "3,4,6")]
    [InlineData("(amount lt 0 or amount gt 1000) and not (customerNumber eq 'C00002')", "1,6")]
    [InlineData("amount lt 0 or amount gt 1000 and customerNumber eq 'C00002'", "1,2")]
    public void LogicalOperatorsAndParentheses(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("customerNumber in ('C00001','C00003')", "1,3,4")]
    [InlineData("customerNumber in ('c00002')", "2,5")]
    [InlineData("amount in (-10, 10.01, 10.005)", "2,4")]
    [InlineData("lineNumber in (10000, 60000)", "1,6")]
    [InlineData("description in ('Invoice 1001 o''neil', 'Refund')", "2")]
    public void In(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Fact]
    public void InWithGuids()
    {
        var ids = QueryBinderDatabase.PaymentIds;
        Assert.Equal("2,6", Lines($"id in ({ids[1]}, {ids[5]})"));
    }

    // ------------------------------------------------------------------ string functions

    [Theory]
    [InlineData("contains(description,'ayment')", "1,4,6")]
    [InlineData("contains(description,'AYMENT')", "")]
    [InlineData("contains(description,'%')", "")]
    [InlineData("contains(description,'_')", "")]
    [InlineData("startswith(description,'Payment')", "1")]
    [InlineData("startswith(description,'Pay%')", "")]
    [InlineData("endswith(description,'Payment')", "6")]
    [InlineData("endswith(description,'payment')", "4")]
    [InlineData("startswith(customerNumber,'c0000')", "1,2,3,4,5")]
    [InlineData("contains(description,'')", "1,2,3,4,5,6")]
    public void ContainsStartsWithEndsWith(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("tolower(description) eq 'payment january'", "1")]
    [InlineData("toupper(description) eq 'BIG PAYMENT'", "6")]
    [InlineData("length(description) eq 0", "5")]
    [InlineData("length(description) gt 15", "2")]
    [InlineData("trim(description) eq 'Refund'", "3")]
    [InlineData("indexof(description,'Pay') eq 0", "1")]
    [InlineData("substring(customerNumber,1) eq '10000'", "6")]
    [InlineData("substring(customerNumber,1,4) eq '0000'", "1,2,3,4,5")]
    [InlineData("concat(customerNumber,description) eq 'C00003  Refund '", "3")]
    public void OtherStringFunctions(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Fact]
    public void CodeFieldsCompareInUpperCase()
    {
        Assert.Equal("1,4", Lines("customerNumber eq 'c00001'"));
        Assert.Equal("1,4", Lines("contains(customerNumber,'c00001')"));
        // Plain text fields keep their case.
        Assert.Equal("", Lines("description eq 'payment january'"));
    }

    [Theory]
    [InlineData("customerNumber lt 'C00002'", "1,4")]
    [InlineData("customerNumber ge 'C00003'", "3,6")]
    [InlineData("description gt 'Partial payment'", "1")]
    public void StringOrdering(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    // ------------------------------------------------------------------ arithmetic

    [Theory]
    [InlineData("amount add 5 gt 10", "3,4,6")]
    [InlineData("amount sub 0.005 gt 10", "4,6")]
    [InlineData("amount mul 2 lt 100", "1,2,3,4,5")]
    [InlineData("amount mul 2 eq 20.02", "4")]
    [InlineData("amount mul 0.5 eq 5.005", "4")]
    [InlineData("amount div 3 gt 3.33", "3,4,6")]
    [InlineData("amount div 3 ge 3.3366", "4,6")]
    [InlineData("amount div -2 eq 5", "2")]
    [InlineData("amount mod 1 ne 0", "4,6")]
    [InlineData("amount mod 0.5 eq 0.01", "4")]
    [InlineData("amount mul amount gt 100", "1,4,6")]
    [InlineData("amount mul amount eq 100", "2,3")]
    [InlineData("amount sub lineNumber gt 0", "6")]
    [InlineData("amount add lineNumber eq 19990", "2")]
    [InlineData("-amount gt 0", "1,2")]
    [InlineData("0 sub amount gt 0", "1,2")]
    [InlineData("amount add 1 add 2 sub 3 eq amount", "1,2,3,4,5,6")]
    [InlineData("(amount add 10) mul (amount sub 10) eq 0", "2,3")]
    [InlineData("1 add 1 eq 2", "1,2,3,4,5,6")]
    [InlineData("10 div 4 eq 2", "1,2,3,4,5,6")]
    [InlineData("10.0 div 4 eq 2.5", "1,2,3,4,5,6")]
    public void DecimalArithmetic(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("lineNumber div 20000 eq 1", "2,3")]
    [InlineData("lineNumber div 3 eq 3333", "1")]
    [InlineData("lineNumber div 3.0 gt 3333.34", "2,3,4,5,6")]
    [InlineData("lineNumber mod 20000 eq 0", "2,4,6")]
    [InlineData("lineNumber add 1.5 gt 20001", "2,3,4,5,6")]
    [InlineData("lineNumber mul 2 sub 1 eq 19999", "1")]
    [InlineData("(lineNumber add 5000) div 10000 eq 2", "2")]
    [InlineData("lineNumber gt 1.5", "1,2,3,4,5,6")]
    [InlineData("lineNumber lt 5000000000", "1,2,3,4,5,6")]
    [InlineData("lineNumber gt 5000000000", "")]
    [InlineData("lineNumber mul 1000000 gt 50000000000", "6")]
    public void IntegerArithmetic(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Fact]
    public void ArithmeticThatCannotBeExactIsRefused()
    {
        Assert.Equal("BadRequest_NotSupported", Refused("amount div amount eq 1").Code);
        Assert.Equal("BadRequest_NotSupported", Refused("amount mod amount eq 0").Code);
        Assert.Equal("BadRequest_NotSupported", Refused("amount mod 0.001 eq 0").Code);
        Assert.Equal("BadRequest", Refused("amount div 0 eq 1").Code);
    }

    [Fact]
    public void ArithmeticIsTranslatedInScaledIntegers()
    {
        using var db = database.Open();
        var sql = db.CustomerPayments.Where(Bind("amount add 5 gt 10")).ToQueryString();
        Assert.Contains("\"j\".\"amount\" > @", sql);
        Assert.Contains("@Value 500", sql); // the bound: amount > 5.00, in cents
    }

    // ------------------------------------------------------------------ literals of every type

    [Fact]
    public void GuidLiteral()
    {
        var ids = QueryBinderDatabase.PaymentIds;
        Assert.Equal("3", Lines($"id eq {ids[2]}"));
        Assert.Equal("3", Lines($"id eq {ids[2].ToString().ToUpperInvariant()}"));
        Assert.Equal("1,2,4,5,6", Lines($"id ne {ids[2]}"));
        Assert.Equal("", Lines("id eq 12345678-1234-1234-1234-123456789abc"));
        Assert.Equal("4", Lines("customerId eq e0000000-0000-0000-0000-000000000003"));
    }

    [Fact]
    public void GuidOrderingFollowsTheTextOrder()
    {
        var ids = QueryBinderDatabase.PaymentIds;
        var pivot = ids[3]; // 00000000-0000-0000-0001-000000000000
        var expected = Enumerable.Range(0, ids.Length).Where(i => string.CompareOrdinal(ids[i].ToString(), pivot.ToString()) > 0).Select(i => i + 1);
        Assert.Equal(string.Join(",", expected), Lines($"id gt {pivot}"));
        Assert.Equal("1,3,4,5", Lines($"id ge {pivot}"));
        Assert.Equal("2,6", Lines($"id lt {pivot}"));
    }

    [Theory]
    [InlineData("postingDate ge 2025-01-01", "1,2,3,4,6")]
    [InlineData("postingDate eq 2025-02-28", "4")]
    [InlineData("postingDate lt 2025-01-01", "5")]
    [InlineData("postingDate le 2025-01-15 and postingDate gt 2024-12-31", "1,2")]
    [InlineData("postingDate ne 2025-02-28", "1,2,3,5,6")]
    [InlineData("postingDate ge 0001-01-01", "1,2,3,4,5,6")]
    [InlineData("postingDate gt 9999-12-31", "")]
    public void DateLiteral(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("postingDate ge 2025-01-15T12:00:00Z", "3,4,6")]
    [InlineData("postingDate ge 2025-01-15T00:00:00Z", "2,3,4,6")]
    [InlineData("postingDate gt 2025-01-14T23:00:00-02:00", "3,4,6")]
    [InlineData("postingDate eq 2025-02-28T00:00:00Z", "4")]
    [InlineData("postingDate eq 2025-02-28T00:00:01Z", "")]
    [InlineData("postingDate le 2025-01-01T00:00:00+01:00", "5")]
    public void DateAgainstDateTimeOffsetLiteral(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("postingDate add duration'P1D' eq 2025-03-01", "4")]
    [InlineData("postingDate sub duration'P1D' eq 2024-12-31", "1")]
    [InlineData("postingDate add duration'PT12H' gt 2025-06-30T11:00:00Z", "6")]
    [InlineData("lastModifiedDateTime sub duration'PT1H' ge 2025-06-30T09:00:00Z", "6")]
    [InlineData("lastModifiedDateTime add duration'P1D' lt 2025-01-02T08:00:00.001Z", "1,5")]
    public void DateArithmeticWithDurations(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("year(postingDate) eq 2024", "5")]
    [InlineData("month(postingDate) eq 2", "3,4")]
    [InlineData("day(postingDate) eq 31", "5")]
    [InlineData("hour(lastModifiedDateTime) eq 12", "2")]
    [InlineData("minute(lastModifiedDateTime) eq 30", "2")]
    [InlineData("year(lastModifiedDateTime) eq 2025 and month(lastModifiedDateTime) eq 3", "4")]
    public void DateParts(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("lastModifiedDateTime lt 2025-01-01T10:00:00+02:00", "5")]
    [InlineData("lastModifiedDateTime le 2025-01-01T10:00:00+02:00", "1,5")]
    [InlineData("lastModifiedDateTime eq 2025-03-01T23:59:59.999Z", "4")]
    [InlineData("lastModifiedDateTime gt 2025-03-01T23:59:59.9985Z", "4,6")]
    [InlineData("lastModifiedDateTime ge 2025-02-01T00:00:00Z and lastModifiedDateTime lt 2025-02-01T00:00:00.0000001Z", "3")]
    [InlineData("lastModifiedDateTime gt postingDate", "1,2,4,5,6")]
    public void DateTimeOffsetLiteral(string filter, string expected)
    {
        if (filter.EndsWith("postingDate", StringComparison.Ordinal))
        {
            // A column of another temporal type is refused rather than compared approximately.
            Assert.Equal("BadRequest_NotSupported", Refused(filter).Code);
            return;
        }
        Assert.Equal(expected, Lines(filter));
    }

    [Theory]
    [InlineData("amount lt 1e3", "1,2,3,4,5")]
    [InlineData("amount gt 10.005d", "4,6")]
    [InlineData("amount gt 10.0f", "4,6")]
    [InlineData("amount eq 10.01m", "4")]
    [InlineData("amount gt -1.0E1", "3,4,5,6")]
    [InlineData("lineNumber eq 10000L", "1")]
    [InlineData("lineNumber lt 2.0E4", "1")]
    public void NumericLiterals(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("description eq 'Invoice 1001 o''neil'", "2")]
    [InlineData("description eq ''", "5")]
    [InlineData("description eq '  Refund '", "3")]
    public void StringLiteral(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("true", "1,2,3,4,5,6")]
    [InlineData("false", "")]
    [InlineData("(amount gt 0) eq true", "3,4,6")]
    [InlineData("(amount gt 0) ne true", "1,2,5")]
    [InlineData("true and amount lt 0", "1,2")]
    [InlineData("false or amount lt 0", "1,2")]
    public void BooleanLiteral(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Fact]
    public void BooleanColumn()
    {
        using var db = database.Open();
        string Numbers(string filter) => string.Join(",", db.Accounts
            .Where(QueryBinder.BindFilter<Account>(ParseFilter(filter, AccountType, Accounts), n => AccountFields.FirstOrDefault(f => f.Name == n)))
            .OrderBy(a => a.Number).Select(a => a.Number).ToList());
        Assert.Equal("1000", Numbers("directPosting eq true"));
        Assert.Equal("2000", Numbers("directPosting eq false"));
        Assert.Equal("1000", Numbers("directPosting"));
        Assert.Equal("2000", Numbers("not directPosting"));
        Assert.Equal("1000", Numbers("directPosting gt false"));
    }

    [Theory]
    [InlineData("description eq null", "")]
    [InlineData("description ne null", "1,2,3,4,5,6")]
    [InlineData("amount eq null", "")]
    [InlineData("amount gt null", "")]
    [InlineData("postingDate eq null", "")]
    [InlineData("id ne null", "1,2,3,4,5,6")]
    [InlineData("null eq null", "1,2,3,4,5,6")]
    public void NullLiteral(string filter, string expected) => Assert.Equal(expected, Lines(filter));

    [Theory]
    [InlineData("blocked eq 'All'", "C00004")]
    [InlineData("blocked eq 'all'", "C00004")]
    [InlineData("blocked eq Microsoft.NAV.customerBlocked'All'", "C00004")]
    [InlineData("blocked eq '_x0020_'", "C00001")]
    [InlineData("blocked ne 'Ship'", "C00001,C00003,C00004")]
    [InlineData("blocked gt 'Ship'", "C00003,C00004")]
    [InlineData("blocked le 'Ship'", "C00001,C00002")]
    [InlineData("blocked lt '_x0020_'", "")]
    [InlineData("blocked in ('Ship', 'Invoice')", "C00002,C00003")]
    public void EnumLiteral(string filter, string expected)
    {
        using var db = database.Open();
        var where = QueryBinder.BindFilter<Customer>(ParseFilter(filter, CustomerType, Customers), n => CustomerFields.FirstOrDefault(f => f.Name == n));
        var numbers = db.Customers.Where(where).OrderBy(c => c.Number).Select(c => c.Number).ToList();
        Assert.Equal(expected, string.Join(",", numbers));
    }

    // ------------------------------------------------------------------ refusals

    [Fact]
    public void UnsupportedFunctionIsRefusedByName()
    {
        var e = Refused("round(amount) eq 10");
        Assert.Equal(400, e.Status);
        Assert.Equal("BadRequest_NotSupported", e.Code);
        Assert.Contains("'round'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFunctionIsRejectedByTheParser() =>
        Assert.Throws<ODataException>(() => ParseFilter("xyz(amount) eq 1"));

    [Fact]
    public void PropertyWithoutFieldIsRefusedByName()
    {
        var e = Refused("comment eq 'x'");
        Assert.Equal(400, e.Status);
        Assert.Contains("'comment'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HasOperatorIsRefused()
    {
        var e = Assert.Throws<ApiException>(() => QueryBinder.BindFilter<Customer>(
            ParseFilter("blocked has Microsoft.NAV.customerBlocked'All'", CustomerType, Customers), n => CustomerFields.FirstOrDefault(f => f.Name == n)));
        Assert.Contains("'has'", e.Message, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ hostile input

    [Fact]
    public void DeeplyNestedParentheses()
    {
        const int depth = 99; // the parser's default limit is 100
        var filter = new string('(', depth) + "amount gt 10" + new string(')', depth);
        Assert.Equal("4,6", Lines(filter));
    }

    [Fact]
    public void ParenthesesBeyondTheParserLimitAreRejectedNotCrashing()
    {
        var filter = new string('(', 5000) + "amount gt 10" + new string(')', 5000);
        Assert.Throws<ODataException>(() => ParseFilter(filter));
    }

    [Fact]
    public void DeepOperatorTreeBindsAndRuns()
    {
        var filter = string.Join(" or ", Enumerable.Range(0, 300).Select(i => $"lineNumber eq {i}")) + " or amount eq 10";
        Assert.True(QueryBinder.CountNodes(ParseFilter(filter).Expression) > 900);
        Assert.Equal("3", Lines(filter));
    }

    [Fact]
    public void HugeStringLiteral()
    {
        var huge = new string('x', 200_000);
        Assert.Equal("", Lines($"description eq '{huge}'"));
        Assert.Equal("", Lines($"contains(description,'{huge}')"));
    }

    [Theory]
    [InlineData("description eq '''; DROP TABLE journal_lines; --'")]
    [InlineData("contains(description,''') OR 1=1 --')")]
    [InlineData("customerNumber in ('x''); DELETE FROM journal_lines; --')")]
    [InlineData("startswith(description,'%'' OR ''1''=''1')")]
    public void InjectionStringsStayLiterals(string filter)
    {
        Assert.Equal("", Lines(filter));
        using var db = database.Open();
        Assert.Equal(6, db.CustomerPayments.Count());
        var sql = db.CustomerPayments.Where(Bind(filter)).ToQueryString();
        var where = sql[sql.IndexOf("WHERE", StringComparison.Ordinal)..];
        Assert.DoesNotContain("DROP", where, StringComparison.Ordinal);
        Assert.DoesNotContain("DELETE", where, StringComparison.Ordinal);
        Assert.DoesNotContain("1=1", where, StringComparison.Ordinal);
    }

    [Fact]
    public void AbsurdNumbersAreExactOrRefused()
    {
        Assert.Equal("", Lines("amount eq 0.0000000000000000000000000001"));
        Assert.Equal("1,2,5", Lines("amount lt 0.0000000000000000000000000001"));
        Assert.Equal("", Lines("amount gt 1e28"));
        Assert.Equal("", Lines("amount gt 1234567.890000000000000000001"));
        Assert.Equal("6", Lines("amount gt 1234567.889999999999999999999"));
        Assert.Equal("", Lines("lineNumber gt 1e300"));
        Assert.Equal("1,2,3,4,5,6", Lines("lineNumber lt 1.7976931348623157E+308"));
        Assert.Equal("BadRequest_NotSupported", Refused("amount mul 10000000000000000000000000 gt 1").Code);
        // Literals beyond Edm.Decimal are refused by the parser itself.
        Assert.Throws<OverflowException>(() => ParseFilter("amount gt 1e300"));
    }

    // ------------------------------------------------------------------ translation

    [Fact]
    public void FilterIsTranslatedToSqlWithParameters()
    {
        using var db = database.Open();
        var sql = db.CustomerPayments.Where(Bind(
            "customerNumber eq 'C00001' and amount gt 10.005 and postingDate ge 2025-01-01 and contains(description,'pay')"
            + " and lastModifiedDateTime lt 2026-01-01T00:00:00Z and id ne 00000000-0000-0000-0000-000000000000")).ToQueryString();
        Assert.Contains("WHERE", sql, StringComparison.Ordinal);
        Assert.Contains("\"j\".\"account_number\" = @", sql, StringComparison.Ordinal);
        Assert.Contains("\"j\".\"amount\" > @", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("'C00001'", sql[sql.IndexOf("WHERE", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    public static TheoryData<string> TranslatableFilters() =>
    [
        "amount gt 10.005 and amount mod 1 ne 0",
        "amount mul amount gt 100 or -amount lt 5",
        "lineNumber div 3 eq 3333 and lineNumber mod 7 eq 1",
        "customerNumber in ('C00001','C00002') and not (customerNumber eq 'X')",
        "contains(description,'a') and startswith(description,'P') and endswith(description,'t')",
        "tolower(description) eq 'x' or toupper(description) eq 'X' or trim(description) eq 'x' or length(description) gt 3",
        "indexof(description,'a') eq 1 or substring(description,1,2) eq 'ay' or concat(customerNumber,'x') eq 'x'",
        "postingDate ge 2025-01-01 and postingDate add duration'P1D' lt 2025-02-01T10:00:00Z",
        "lastModifiedDateTime gt 2025-01-01T00:00:00+02:00 and year(postingDate) eq 2025 and hour(lastModifiedDateTime) eq 3",
        "id gt 00000000-0000-0000-0000-000000000001 and customerId eq 00000000-0000-0000-0000-000000000002",
        "customerNumber gt 'C' and (amount gt 0) eq true",
    ];

    [Theory]
    [MemberData(nameof(TranslatableFilters))]
    public void TranslatesOnPostgres(string filter)
    {
        using var db = new AppDb(new DbContextOptionsBuilder<AppDb>().UseNpgsql("Host=localhost;Database=none").Options);
        var sql = db.CustomerPayments.Where(Bind(filter)).ToQueryString();
        Assert.Contains("WHERE", sql, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TranslatableFilters))]
    public void TranslatesOnSqlite(string filter)
    {
        using var db = database.Open();
        var sql = db.CustomerPayments.Where(Bind(filter)).ToQueryString();
        Assert.Contains("WHERE", sql, StringComparison.Ordinal);
        _ = db.CustomerPayments.Where(Bind(filter)).ToList();
    }

    // ------------------------------------------------------------------ order keys and keyset paging

    private List<int> Ordered(string orderBy, bool descending = false)
    {
        var clause = Parser(PaymentType, Payments, "$orderby", orderBy).ParseOrderBy();
        var key = QueryBinder.BindOrderKey<CustomerPayment>(clause.Expression, PaymentField);
        using var db = database.Open();
        IQueryable<CustomerPayment> query = db.CustomerPayments;
        var call = Expression.Call(typeof(Queryable), descending || clause.Direction == OrderByDirection.Descending ? "OrderByDescending" : "OrderBy",
            [typeof(CustomerPayment), key.ReturnType], query.Expression, Expression.Quote(key));
        var ordered = (IOrderedQueryable<CustomerPayment>)query.Provider.CreateQuery<CustomerPayment>(call);
        return ordered.ThenBy(x => x.LineNumber).Select(x => x.LineNumber / 10000).ToList();
    }

    [Theory]
    [InlineData("amount", "1,2,5,3,4,6")]
    [InlineData("amount desc", "6,4,3,5,2,1")]
    [InlineData("amount mul -1", "6,4,3,5,2,1")]
    [InlineData("amount div 3 add 7", "1,2,5,3,4,6")]
    [InlineData("customerNumber", "1,4,2,5,3,6")]
    [InlineData("postingDate", "5,1,2,3,4,6")]
    [InlineData("lastModifiedDateTime desc", "6,4,3,2,1,5")]
    [InlineData("length(description)", "5,3,6,1,4,2")]
    [InlineData("lineNumber mod 20000", "2,4,6,1,3,5")]
    public void OrderKeys(string orderBy, string expected) => Assert.Equal(expected, string.Join(",", Ordered(orderBy)));

    [Fact]
    public void OrderByConstantIsRefused()
    {
        var clause = Parser(PaymentType, Payments, "$orderby", "1 add 1").ParseOrderBy();
        Assert.Throws<ApiException>(() => QueryBinder.BindOrderKey<CustomerPayment>(clause.Expression, PaymentField));
    }

    [Fact]
    public void OrderKeyOfAPropertyIsTheColumn()
    {
        var clause = Parser(PaymentType, Payments, "$orderby", "amount").ParseOrderBy();
        var key = QueryBinder.BindOrderKey<CustomerPayment>(clause.Expression, PaymentField);
        Assert.Equal(typeof(long), key.ReturnType);
        Assert.Equal(nameof(CustomerPayment.Amount), ((MemberExpression)key.Body).Member.Name);
    }

    private sealed class Captured<TValue>(TValue value)
    {
        public TValue Value { get; } = value;
    }

    /// <summary>Rows whose column is greater than the value, by the database, for a column and a value.</summary>
    private List<int> After<TValue>(Expression<Func<CustomerPayment, TValue>> column, TValue value, bool asParameter)
    {
        Expression right = asParameter
            ? Expression.Property(Expression.Constant(new Captured<TValue>(value)), nameof(Captured<TValue>.Value))
            : Expression.Constant(value, typeof(TValue));
        var predicate = Expression.Lambda<Func<CustomerPayment, bool>>(QueryBinder.GreaterThan(column.Body, right), column.Parameters);
        using var db = database.Open();
        return db.CustomerPayments.Where(predicate).OrderBy(x => x.LineNumber).Select(x => x.LineNumber / 10000).ToList();
    }

    private List<int> Expected<TValue>(Func<CustomerPayment, TValue> get, Func<TValue, TValue, bool> greater, TValue value)
    {
        using var db = database.Open();
        return db.CustomerPayments.OrderBy(x => x.LineNumber).ToList().Where(p => greater(get(p), value)).Select(p => p.LineNumber / 10000).ToList();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GreaterThanForEveryColumnType(bool asParameter)
    {
        foreach (var pivot in QueryBinderDatabase.PaymentIds)
            Assert.Equal(Expected(p => p.Id, (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()) > 0, pivot), After(x => x.Id, pivot, asParameter));
        foreach (var pivot in new[] { "C00001", "C00002", "C1", "B", "" })
            Assert.Equal(Expected(p => p.CustomerNumber, (a, b) => string.CompareOrdinal(a, b) > 0, pivot), After(x => x.CustomerNumber, pivot, asParameter));
        foreach (var pivot in new[] { -50000L, -1L, 0L, 1000L, long.MaxValue })
            Assert.Equal(Expected(p => p.Amount, (a, b) => a > b, pivot), After(x => x.Amount, pivot, asParameter));
        foreach (var pivot in new[] { 0, 10000, 35000 })
            Assert.Equal(Expected(p => p.LineNumber, (a, b) => a > b, pivot), After(x => x.LineNumber, pivot, asParameter));
        foreach (var pivot in new[] { new DateOnly(2025, 1, 1), new DateOnly(2024, 12, 31), new DateOnly(2025, 12, 31) })
            Assert.Equal(Expected(p => p.PostingDate, (a, b) => a > b, pivot), After(x => x.PostingDate, pivot, asParameter));
        foreach (var pivot in new[] { new DateTime(2025, 1, 1, 8, 0, 0, DateTimeKind.Utc), new DateTime(2025, 3, 1, 23, 59, 59, 998, DateTimeKind.Utc) })
            Assert.Equal(Expected(p => p.LastModified, (a, b) => a > b, pivot), After(x => x.LastModified, pivot, asParameter));
        foreach (var pivot in new[] { false, true })
            Assert.Equal(Expected(p => p.Amount > 0, (a, b) => a && !b, pivot), After(x => x.Amount > 0, pivot, asParameter));
    }

    [Fact]
    public void KeysetPagingByGuidVisitsEveryRowOnceInTextOrder()
    {
        Expression<Func<CustomerPayment, Guid>> key = x => x.Id;
        using var db = database.Open();
        var seen = new List<Guid>();
        Guid? last = null;
        while (true)
        {
            IQueryable<CustomerPayment> page = db.CustomerPayments;
            if (last is { } after)
            {
                var right = Expression.Property(Expression.Constant(new Captured<Guid>(after)), nameof(Captured<Guid>.Value));
                page = page.Where(Expression.Lambda<Func<CustomerPayment, bool>>(QueryBinder.GreaterThan(key.Body, right), key.Parameters));
            }
            var ids = page.OrderBy(key).Select(x => x.Id).Take(4).ToList();
            if (ids.Count == 0) break;
            seen.AddRange(ids);
            last = ids[^1];
        }
        Assert.Equal(QueryBinderDatabase.PaymentIds.OrderBy(g => g.ToString(), StringComparer.Ordinal), seen);
    }

    // ------------------------------------------------------------------ node count

    [Theory]
    [InlineData("amount gt 1", 3)]
    [InlineData("amount gt 1 and customerNumber in ('a','b')", 9)]
    [InlineData("not (lineNumber gt 1.5)", 4)]
    [InlineData("contains(description,'x')", 3)]
    [InlineData("(((amount gt 1)))", 3)]
    public void CountNodes(string filter, int expected) =>
        Assert.Equal(expected, QueryBinder.CountNodes(ParseFilter(filter).Expression));

    [Fact]
    public void CountNodesOfAnOrderKey()
    {
        var clause = Parser(PaymentType, Payments, "$orderby", "amount mul -1").ParseOrderBy();
        Assert.Equal(3, QueryBinder.CountNodes(clause.Expression));
    }
}

/// <summary>
/// Runs the payment filter cases of <see cref="QueryBinderTests"/> on the test run's PostgreSQL server (see
/// <see cref="PostgresServer"/>), in a database of its own made with the PostgreSQL migration and dropped afterwards.
/// </summary>
[Trait("Category", "Slow")]
public sealed class QueryBinderPostgresTests
{
    internal static readonly string[] Cases =
    [
        nameof(QueryBinderTests.Eq), nameof(QueryBinderTests.Ne), nameof(QueryBinderTests.Lt), nameof(QueryBinderTests.Le),
        nameof(QueryBinderTests.Gt), nameof(QueryBinderTests.Ge), nameof(QueryBinderTests.LogicalOperatorsAndParentheses),
        nameof(QueryBinderTests.In), nameof(QueryBinderTests.ContainsStartsWithEndsWith), nameof(QueryBinderTests.OtherStringFunctions),
        nameof(QueryBinderTests.StringOrdering), nameof(QueryBinderTests.DecimalArithmetic), nameof(QueryBinderTests.IntegerArithmetic),
        nameof(QueryBinderTests.DateLiteral), nameof(QueryBinderTests.DateAgainstDateTimeOffsetLiteral),
        nameof(QueryBinderTests.DateArithmeticWithDurations), nameof(QueryBinderTests.DateParts), nameof(QueryBinderTests.NumericLiterals),
        nameof(QueryBinderTests.StringLiteral), nameof(QueryBinderTests.BooleanLiteral), nameof(QueryBinderTests.NullLiteral),
    ];

    [Fact]
    public async Task SameRowsOnPostgresAsOnSqlite()
    {
        // The run's PostgreSQL server (PAYMENTJOURNAL_TEST_POSTGRES, or the throwaway one): this test always runs.
        var server = await PostgresServer.SharedAsync();
        var connection = await server.CreateDatabaseAsync();

        var schema = $"binder_{Guid.NewGuid():N}"; // a name we made, safe to put in the SQL text
        var create = "CREATE SCHEMA " + schema;
        var drop = "DROP SCHEMA " + schema + " CASCADE";
        using (var admin = Open(connection))
            admin.Database.ExecuteSqlRaw(create);
        try
        {
            using var db = Open($"{connection};Search Path={schema}");
            db.Database.ExecuteSqlRaw(Migration());
            Seed(db);

            var failures = new List<string>();
            var count = 0;
            foreach (var method in Cases.Select(n => typeof(QueryBinderTests).GetMethod(n)!))
            {
                foreach (var data in method.GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>().SelectMany(a => a.GetData(method)))
                {
                    var (filter, expected) = ((string)data[0], (string)data[1]);
                    var lines = db.CustomerPayments.Where(QueryBinderTests.Bind(filter)).OrderBy(x => x.LineNumber).Select(x => x.LineNumber / 10000).ToList();
                    var actual = string.Join(",", lines);
                    count++;
                    if (actual != expected) failures.Add($"{filter}: expected [{expected}], got [{actual}]");
                }
            }
            Expression<Func<CustomerPayment, Guid>> key = x => x.Id;
            foreach (var pivot in QueryBinderDatabase.PaymentIds)
            {
                var after = Expression.Lambda<Func<CustomerPayment, bool>>(QueryBinder.GreaterThan(key.Body, Expression.Constant(pivot)), key.Parameters);
                var actual = db.CustomerPayments.Where(after).Select(x => x.Id).ToList().Order().ToList();
                var expected = QueryBinderDatabase.PaymentIds.Where(g => string.CompareOrdinal(g.ToString(), pivot.ToString()) > 0).Order().ToList();
                if (!actual.SequenceEqual(expected)) failures.Add($"id > {pivot}");
            }
            Assert.True(count > 100);
            Assert.Empty(failures);
        }
        finally
        {
            using (var admin = Open(connection))
                admin.Database.ExecuteSqlRaw(drop);
            await server.DropDatabaseAsync(connection);
        }
    }

    private static AppDb Open(string connection) => new(new DbContextOptionsBuilder<AppDb>().UseNpgsql(connection).Options);

    private static string Migration() =>
        string.Join("\n;\n", Migrator.Scripts(DatabaseProvider.Postgres).Select(script => script.Sql));

    private static void Seed(AppDb db)
    {
        var company = QueryBinderDatabase.Company;
        var journal = QueryBinderDatabase.Journal;
        db.Database.ExecuteSql($"""
            INSERT INTO companies (id, name, display_name, business_profile_id, created_at, version, last_modified)
            VALUES ({company}, 'CRONUS', 'CRONUS', '', now(), 1, now())
            """);
        db.Database.ExecuteSql($"""
            INSERT INTO journal_batches (id, company_id, code, display_name, balancing_account_id, balancing_account_number, number_series_id, version, last_modified)
            VALUES ({journal}, {company}, 'GENERAL', 'General', {Guid.Empty}, '', {Guid.Empty}, 1, now())
            """);
        for (var i = 0; i < QueryBinderDatabase.Rows.Length; i++)
        {
            var r = QueryBinderDatabase.Rows[i];
            var id = QueryBinderDatabase.PaymentIds[i];
            var customerId = Guid.Parse($"e0000000-0000-0000-0000-00000000000{i}");
            var date = DateOnly.Parse(r.Date, System.Globalization.CultureInfo.InvariantCulture);
            var modified = DateTimeOffset.Parse(r.Modified, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime;
            db.Database.ExecuteSql($"""
                INSERT INTO journal_lines (id, company_id, journal_id, journal_code, line_number, account_id, account_number, contact_id,
                    posting_date, document_number, external_document_number, amount, applies_to_invoice_id, applies_to_invoice_number,
                    description, comment, balancing_account_id, version, last_modified)
                VALUES ({id}, {company}, {journal}, 'GENERAL', {r.Line}, {customerId}, {r.Customer}, '',
                    {date}, '', '', {r.Amount}, {Guid.Empty}, '', {r.Description}, '', {Guid.Empty}, 1, {modified})
                """);
        }
    }
}
