using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.OData.UriParser;
using PaymentJournal.Data;
using PaymentJournal.Errors;

namespace PaymentJournal.OData;

/// <summary>Lists and $count: $filter and $orderby bound once per parsed clause, the page size, and keyset paging by $skiptoken.</summary>
public abstract partial class EntitySet<T> where T : class
{
    /// <summary>Checks a set may rules before a list runs (e.g. company-level customerPayments need a journal filter).</summary>
    protected virtual void CheckList(RequestContext rc, Scope scope, QueryOptions query) { }

    public override async Task<int> ListAsync(RequestContext rc, Scope scope, QueryOptions query, ResponseBuilder response, string contextPath)
    {
        CheckList(rc, scope, query);
        var surface = rc.Surface.Kind;
        var filter = query.Filter is null ? null : BoundFilter(query.Filter, surface);
        // EF Core's query is only built when it runs: for $count, and for a page the prepared list does not read.
        IQueryable<T> Filtered() => filter is null ? Query(rc, scope) : Query(rc, scope).Where(filter);
        long? count = query.Count ? await ApplyFilter(await CountQueryAsync(rc, scope), query.Filter, surface).LongCountAsync(rc.Aborted) : null;

        var order = OrderKeys(query.OrderBy, surface);
        var after = query.SkipToken is null ? null : AfterToken(order, query.SkipToken, Signature(query));
        var skip = query.Skip is > 0 && query.SkipToken is null ? (int)query.Skip.Value : 0;
        var pageSize = PageSize(rc, response);
        var wanted = query.Top ?? long.MaxValue;
        var take = (int)Math.Min(wanted, pageSize);

        List<T>? rows = null;
        if (CompiledFind && PreparedFind(scope.Via) is { } prepared)
        {
            // The same rows as the query below, read with a statement kept prepared (null for a shape it does not read).
            var where = new List<LambdaExpression>(2);
            if (filter is not null) where.Add(filter);
            if (after is not null) where.Add(after);
            rows = await PreparedRows.ListAsync<T>(rc.Db, prepared.Scope(scope), where, order.ConvertAll(k => (k.Selector, k.Descending)), skip, take + 1, rc.Aborted);
        }
        if (rows is null)
        {
            var q = Filtered();
            if (after is not null) q = q.Where(after);
            q = ApplyOrder(q, order);
            if (skip > 0) q = q.Skip(skip);
            rows = await q.Take(take + 1).ToListAsync(rc.Aborted);
        }
        string? nextLink = null;
        if (rows.Count > take)
        {
            rows.RemoveAt(rows.Count - 1);
            if (wanted > take) nextLink = NextLink(rc, query, order, rows[^1], Signature(query), wanted - take);
        }

        var selection = Selection.From(query.SelectExpand, this, rc.Catalog, surface);
        var data = await LoadExpansionsAsync(rc, scope.CompanyId, rows, selection);
        WritePage(response, rc, rows, selection, data, count, nextLink, contextPath, scope.CompanyId);
        return rows.Count;
    }

    public override async Task<long> CountAsync(RequestContext rc, Scope scope, QueryOptions query, ResponseBuilder response)
    {
        CheckList(rc, scope, query);
        var count = await ApplyFilter(await CountQueryAsync(rc, scope), query.Filter, rc.Surface.Kind).LongCountAsync(rc.Aborted);
        var text = Encoding.UTF8.GetBytes(count.ToString(CultureInfo.InvariantCulture));
        System.Buffers.BuffersExtensions.Write(response.Body, text);
        response.ContentType = "text/plain";
        response.Headers["OData-Version"] = "4.0";
        return count;
    }

    // ---- query building ----
    // Parsed options are shared between requests (QueryOptions.Parse), and a clause is only ever read on the surface it
    // was parsed for, so what it binds to is kept with it.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<FilterClause, Expression<Func<T, bool>>> _boundFilters = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<OrderByClause, List<OrderKey>> _boundOrders = new();

    private IQueryable<T> ApplyFilter(IQueryable<T> q, FilterClause? filter, Surfaces surface) =>
        filter is null ? q : q.Where(BoundFilter(filter, surface));

    private Expression<Func<T, bool>> BoundFilter(FilterClause filter, Surfaces surface) =>
        _boundFilters.GetValue(filter, f => QueryBinder.BindFilter<T>(f, name => FindField(name, surface)));

    private sealed record OrderKey(LambdaExpression Selector, bool Descending);

    private List<OrderKey> OrderKeys(OrderByClause? orderBy, Surfaces surface) =>
        orderBy is null ? BindOrderKeys(null, surface) : _boundOrders.GetValue(orderBy, _ => BindOrderKeys(orderBy, surface));

    private List<OrderKey> BindOrderKeys(OrderByClause? orderBy, Surfaces surface)
    {
        var keys = new List<OrderKey>();
        for (var o = orderBy; o is not null; o = o.ThenBy)
            keys.Add(new OrderKey(QueryBinder.BindOrderKey<T>(o.Expression, name => FindField(name, surface)), o.Direction == OrderByDirection.Descending));
        if (orderBy is null) keys.AddRange(DefaultOrder.Select(d => new OrderKey(d, false)));
        keys.Add(new OrderKey(Key, false));
        return keys;
    }

    private static readonly MethodInfo OrderByMethod = QueryableMethod(nameof(Queryable.OrderBy));
    private static readonly MethodInfo OrderByDescMethod = QueryableMethod(nameof(Queryable.OrderByDescending));
    private static readonly MethodInfo ThenByMethod = QueryableMethod(nameof(Queryable.ThenBy));
    private static readonly MethodInfo ThenByDescMethod = QueryableMethod(nameof(Queryable.ThenByDescending));

    private static MethodInfo QueryableMethod(string name) =>
        typeof(Queryable).GetMethods().Single(m => m.Name == name && m.GetParameters().Length == 2);

    private static IQueryable<T> ApplyOrder(IQueryable<T> q, List<OrderKey> keys)
    {
        var expr = q.Expression;
        for (var i = 0; i < keys.Count; i++)
        {
            var k = keys[i];
            var method = i == 0 ? (k.Descending ? OrderByDescMethod : OrderByMethod) : (k.Descending ? ThenByDescMethod : ThenByMethod);
            expr = Expression.Call(method.MakeGenericMethod(typeof(T), k.Selector.ReturnType), expr, Expression.Quote(k.Selector));
        }
        return q.Provider.CreateQuery<T>(expr);
    }

    private int PageSize(RequestContext rc, ResponseBuilder response)
    {
        var size = rc.Limits.MaxPageSize;
        var prefer = rc.Header("Prefer");
        if (prefer is null) return size;
        foreach (var part in prefer.Split(',', StringSplitOptions.TrimEntries))
        {
            const string name = "odata.maxpagesize=";
            if (part.StartsWith(name, StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(part.AsSpan(name.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                size = Math.Min(n, size);
                response.Headers["Preference-Applied"] = "odata.maxpagesize=" + size.ToString(CultureInfo.InvariantCulture);
            }
        }
        return size;
    }

    // ---- keyset paging: the skiptoken carries the order-key values of the last row of the page ----
    private static string Signature(QueryOptions q)
    {
        q.Raw.TryGetValue("$filter", out var f);
        q.Raw.TryGetValue("$orderby", out var o);
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes((f ?? "") + "\n" + (o ?? "")));
        return Convert.ToHexString(hash, 0, 6);
    }

    private string NextLink(RequestContext rc, QueryOptions query, List<OrderKey> order, T last, string signature, long remaining)
    {
        var values = new List<string>();
        foreach (var k in order) values.Add(TokenValue(k.Selector.Compile().DynamicInvoke(last)));
        var token = signature + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(values, TokenJson.Default.ListString));
        var sb = new StringBuilder();
        foreach (var (name, value) in query.Raw)
        {
            if (name is "$skip" or "$skiptoken" or "$top") continue;
            sb.Append(sb.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name).Replace("%24", "$", StringComparison.Ordinal)).Append('=').Append(Uri.EscapeDataString(value));
        }
        if (query.Top is not null) sb.Append(sb.Length == 0 ? '?' : '&').Append("$top=").Append(remaining.ToString(CultureInfo.InvariantCulture));
        sb.Append(sb.Length == 0 ? '?' : '&').Append("$skiptoken=").Append(token);
        return rc.ServiceRoot + rc.RelativePath + sb;
    }

    private static string TokenValue(object? v) => v switch
    {
        Guid g => g.ToString("D"),
        string s => s,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.Ticks.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "1" : "0",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };

    private static Expression<Func<T, bool>> AfterToken(List<OrderKey> order, string token, string signature)
    {
        List<string>? values = null;
        var dot = token.IndexOf('.');
        if (dot > 0 && token[..dot] == signature)
        {
            try { values = JsonSerializer.Deserialize(FromBase64Url(token[(dot + 1)..]), TokenJson.Default.ListString); }
            catch (Exception e) when (e is FormatException or JsonException) { values = null; }
        }
        if (values is null || values.Count != order.Count)
            throw ApiErrors.QueryOption("The $skiptoken is not valid for this query; start again from the first page.");

        var p = Expression.Parameter(typeof(T), "x");
        Expression? result = null;
        Expression? prefix = null;
        for (var i = 0; i < order.Count; i++)
        {
            var column = Rebind(order[i].Selector, p);
            var constant = Parse(values[i], column.Type);
            var after = order[i].Descending ? QueryBinder.GreaterThan(constant, column) : QueryBinder.GreaterThan(column, constant);
            var term = prefix is null ? after : Expression.AndAlso(prefix, after);
            result = result is null ? term : Expression.OrElse(result, term);
            var eq = Expression.Equal(column, constant);
            prefix = prefix is null ? eq : Expression.AndAlso(prefix, eq);
        }
        return Expression.Lambda<Func<T, bool>>(result!, p);
    }

    private static Expression Parse(string value, Type type)
    {
        object parsed;
        try
        {
            parsed = type == typeof(Guid) ? Guid.Parse(value)
                : type == typeof(string) ? value
                : type == typeof(DateOnly) ? DateOnly.ParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture)
                : type == typeof(DateTime) ? new DateTime(long.Parse(value, CultureInfo.InvariantCulture), DateTimeKind.Utc)
                : type == typeof(long) ? long.Parse(value, CultureInfo.InvariantCulture)
                : type == typeof(int) ? int.Parse(value, CultureInfo.InvariantCulture)
                : type == typeof(bool) ? value == "1"
                : throw ApiErrors.QueryOption("The $skiptoken is not valid for this query.");
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw ApiErrors.QueryOption("The $skiptoken is not valid for this query; start again from the first page.");
        }
        // A captured variable becomes a SQL parameter, so the token can never change the shape of the query.
        return Capture(parsed, type);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class TokenJson : System.Text.Json.Serialization.JsonSerializerContext;
