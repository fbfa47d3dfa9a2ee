using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PaymentJournal.Data;
using PaymentJournal.Errors;
using PaymentJournal.Features.CashApplication.Import;
using PaymentJournal.Features.Webhooks;
using PaymentJournal.OData;

namespace PaymentJournal.Features.CashApplication.Api;

/// <summary>
/// bankStatementImports: POST {"fileName", "content" (base64), "csvProfile"?} reads the file, stores its statements and
/// lines and the matcher's proposals for every credit, all in the request's one write unit; GET shows what it made.
/// </summary>
public sealed class BankStatementImportsSet : EntitySet<BankStatementImport>
{
    private readonly CashApplicationOptions _options;
    private readonly WebhookOutbox? _webhooks;

    public override string Name => "bankStatementImports";
    public override string TypeName => "bankStatementImport";
    public override Surfaces Surfaces => Surfaces.V2;
    public override bool CanCreate => true;

    protected override IReadOnlyList<FieldDef<BankStatementImport>> Fields { get; } = new FieldsBuilder<BankStatementImport>()
        .Key("id", x => x.Id)
        .String("fileName", x => x.FileName, 250, Access.CreateOnly)
        .Code("csvProfile", x => x.CsvProfileCode, 20, Access.CreateOnly)
        .String("format", x => x.Format, 20, Access.ReadOnly)
        .String("fileHash", x => x.FileHash, 64, Access.ReadOnly)
        .String("bankStatementIds", x => x.BankStatementIds, 2048, Access.ReadOnly)
        .Int32("numberOfStatements", x => x.StatementCount, Access.ReadOnly)
        .Int32("numberOfLines", x => x.LineCount, Access.ReadOnly)
        .Int32("numberOfProposals", x => x.ProposalCount, Access.ReadOnly)
        .Timestamp("lastModifiedDateTime", x => x.LastModified)
        .Fields;

    protected override Expression<Func<BankStatementImport, Guid>> Key => x => x.Id;
    protected override Expression<Func<BankStatementImport, Guid>> CompanyKey => x => x.CompanyId;

    public BankStatementImportsSet(CashApplicationOptions options, WebhookOutbox? webhooks)
    {
        _options = options;
        _webhooks = webhooks;
        Navigations.Add(new NavigationDef
        {
            Name = "bankStatements", TargetSet = "bankStatements", IsCollection = true, Surfaces = Surfaces.V2,
            ChildForeignKey = (Expression<Func<BankStatement, Guid>>)(s => s.ImportId),
        });
    }

    /// <summary>The body carries the file, which no property stores: it is read by <see cref="Create"/>.</summary>
    public override Body ParseBody(RequestContext rc, bool isCreate) => Body.Parse("{}"u8.ToArray(), this, rc.Surface.Kind, isCreate);

    internal sealed record Request(string FileName, byte[] Content, string? CsvProfile);

    private static ApiException FileError(string message, string position) =>
        new(400, "BadRequest_InvalidStatementFile", $"{message} (at {position})");

    /// <summary>The request's body read: the file name, the file decoded from base64 (at most <paramref name="maxFile"/> bytes) and the CSV profile's code.</summary>
    internal static Request ReadRequest(ReadOnlyMemory<byte> body, long maxFile)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty) throw ApiErrors.BadRequest("The request body is empty; send {\"fileName\", \"content\"} with the file in base64.");
        using var doc = WellFormed.ParseJson(body, default);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw ApiErrors.BadRequest("The request body must be a JSON object.");
        string? fileName = null, profile = null;
        JsonElement? content = null;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Null) continue;
            if (p.Name is not ("fileName" or "content" or "csvProfile")) throw ApiErrors.UnknownProperty(ApiErrors.Echo(p.Name), "bankStatementImport");
            if (p.Value.ValueKind != JsonValueKind.String) throw ApiErrors.WrongType(p.Name, "Edm.String");
            if (p.Name == "content") content = p.Value;
            else if (p.Name == "fileName") fileName = p.Value.GetString()!;
            else profile = p.Value.GetString()!.Trim().ToUpperInvariant();
        }
        if (string.IsNullOrWhiteSpace(fileName)) throw ApiErrors.BadRequest("fileName must have a value.");
        if (fileName.Length > 250) throw ApiErrors.StringTooLong("fileName", fileName.Length, 250);
        if (profile is { Length: > 20 }) throw ApiErrors.StringTooLong("csvProfile", profile.Length, 20);
        if (content is null) throw ApiErrors.BadRequest("content must have a value: the file in base64.");
        return new Request(fileName, DecodePlain(content.Value, maxFile) ?? Decode(content.Value.GetString()!, maxFile), profile);
    }

    private static readonly System.Buffers.SearchValues<byte> Base64Bytes =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    /// <summary>
    /// The common case, decoded straight from the body's UTF-8 without a string of it: base64 without white space or
    /// unused bits set before its padding, within the limit, its characters written as they are or escaped ("\u002B",
    /// "\/", as JSON writers do). Null for anything else, which <see cref="Decode"/> reads (and names the fault of).
    /// </summary>
    private static byte[]? DecodePlain(JsonElement content, long max)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(content);
        if (raw.IndexOf((byte)'\\') < 0) return DecodeBase64(raw[1..^1], max);
        // Escaped: the reader writes the string's UTF-8 into a buffer of its size at most.
        var reader = new Utf8JsonReader(raw);
        reader.Read();
        var unescaped = System.Buffers.ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            return DecodeBase64(unescaped.AsSpan(0, reader.CopyString(unescaped)), max);
        }
        catch (InvalidOperationException)
        {
            return null; // an escape that is no character (a lone surrogate)
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(unescaped);
        }
    }

    private static byte[]? DecodeBase64(ReadOnlySpan<byte> raw, long max)
    {
        if (raw.Length == 0 || raw.Length % 4 != 0 || (long)raw.Length * 3 / 4 > max + 3 || raw.ContainsAnyExcept(Base64Bytes)) return null;
        var last = raw[^1] != (byte)'=' ? -1 : raw[^2] == (byte)'=' ? raw.Length - 3 : raw.Length - 2;
        if (last >= 0 && (Sextet(raw[last]) & (last == raw.Length - 3 ? 0x0F : 0x03)) != 0) return null;
        var bytes = new byte[raw.Length / 4 * 3];
        if (System.Buffers.Text.Base64.DecodeFromUtf8(raw, bytes, out var read, out var written) != System.Buffers.OperationStatus.Done
            || read != raw.Length || written > max)
            return null;
        return written == bytes.Length ? bytes : bytes[..written];
    }

    private static int Sextet(byte c) => c switch
    {
        >= (byte)'A' and <= (byte)'Z' => c - 'A',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
        (byte)'+' => 62,
        _ => 63,
    };

    /// <summary>The file from base64; a character that is not base64 is named by its position.</summary>
    private static byte[] Decode(string content, long max)
    {
        if ((long)content.Length * 3 / 4 > max + 3)
            throw FileError($"The file is larger than the limit of {max} bytes (Limits:MaxStatementFileBytes).", $"byte {max}");
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or ' ' or '\t' or '\r' or '\n'))
                throw FileError($"content is not base64: '{(char.IsControl(c) ? "U+" + ((int)c).ToString("X4") : c.ToString())}' is not a base64 character.", $"content character {i + 1}");
        }
        byte[] bytes;
        try { bytes = Convert.FromBase64String(content); }
        catch (FormatException)
        {
            throw FileError("content is not base64: its length (without white space) is not a multiple of four, or '=' stands before the end.", $"content character {content.Length}");
        }
        if (bytes.Length > max) throw FileError($"The file is larger than the limit of {max} bytes (Limits:MaxStatementFileBytes).", $"byte {max}");
        return bytes;
    }

    protected override async Task<BankStatementImport> Create(RequestContext rc, Scope scope, Body body)
    {
        var request = ReadRequest(rc.Body, rc.Limits.MaxStatementFileBytes);
        var (import, statements) = await ImportAsync(rc.Db, scope.CompanyId, request.FileName, request.Content, request.CsvProfile, rc.Today, _options, rc.Aborted);
        if (_webhooks is not null)
        {
            var set = rc.Catalog.Set("bankStatements");
            foreach (var s in statements) await _webhooks.RecordAsync(rc.Db, scope.CompanyId, set, s, WebhookOutbox.Created, rc.Aborted);
        }
        return import;
    }

    /// <summary>
    /// Reads a statement file and stores the import, its statements, their lines and the matcher's proposals for every
    /// credit, on <paramref name="db"/> inside the caller's write unit.
    /// </summary>
    internal static async Task<(BankStatementImport Import, List<BankStatement> Statements)> ImportAsync(AppDb db, Guid company, string fileName,
        byte[] content, string? csvProfile, DateOnly today, CashApplicationOptions options, CancellationToken ct)
    {
        CsvProfile? profile = null;
        if (csvProfile is { Length: > 0 } code)
        {
            var row = await db.CsvImportProfiles.AsNoTracking().FirstOrDefaultAsync(p => p.CompanyId == company && p.Code == code, ct)
                      ?? throw ApiErrors.BadRequest($"There is no CSV import profile '{ApiErrors.Echo(code)}' (see csvImportProfiles).");
            profile = CsvImportProfilesSet.ToProfile(row);
        }
        StatementFileContent file;
        try { file = StatementFile.Read(content, fileName, profile); }
        catch (StatementFileException e) { throw FileError(e.Message, e.Position); }

        var earlier = await db.BankStatementImports.AsNoTracking().FirstOrDefaultAsync(i => i.CompanyId == company && i.FileHash == file.FileHash, ct);
        if (earlier is not null)
            throw new ApiException(409, "Request_EntityAlreadyExists",
                $"This file was imported already: bank statement import {earlier.Id:D} ('{ApiErrors.Echo(earlier.FileName)}') has the same content.");

        var import = new BankStatementImport
        {
            Id = SequentialIds.Next(), CompanyId = company, FileName = fileName, FileHash = file.FileHash, CsvProfileCode = csvProfile ?? "",
            Format = FormatName(file.Format),
        };
        db.BankStatementImports.Add(import);
        var statements = new List<BankStatement>();
        var lines = new List<BankStatementLine>();
        foreach (var s in file.Statements)
        {
            var entries = s.Entries;
            var from = s.PeriodStart ?? (entries.Count > 0 ? entries.Min(e => e.BookingDate) : today);
            var to = s.PeriodEnd ?? (entries.Count > 0 ? entries.Max(e => e.BookingDate) : from);
            var account = s.Account;
            var number = s.StatementId;
            var same = await db.BankStatements.AsNoTracking().FirstOrDefaultAsync(x => x.CompanyId == company && x.AccountIban == account
                && x.StatementNumber == number && x.PeriodFrom == from && x.PeriodTo == to, ct);
            if (same is not null || statements.Any(x => x.AccountIban == account && x.StatementNumber == number && x.PeriodFrom == from && x.PeriodTo == to))
                throw new ApiException(409, "Request_EntityAlreadyExists",
                    $"Statement {ApiErrors.Echo(number)} of account {ApiErrors.Echo(account)} for {Wire.Date(from)} to {Wire.Date(to)} was imported already" +
                    (same is null ? " earlier in this file." : $", by bank statement import {same.ImportId:D}."));
            var statement = new BankStatement
            {
                Id = SequentialIds.Next(), CompanyId = company, ImportId = import.Id, StatementNumber = number, AccountIban = account, Currency = s.Currency,
                HasBalances = s.OpeningBalance is not null && s.ClosingBalance is not null,
                OpeningBalance = Cents(s.OpeningBalance ?? 0, "opening balance"), ClosingBalance = Cents(s.ClosingBalance ?? 0, "closing balance"),
                PeriodFrom = from, PeriodTo = to, EntryCount = entries.Count, FileHash = file.FileHash, Format = import.Format,
            };
            statements.Add(statement);
            db.BankStatements.Add(statement);
            var lineNumber = 0;
            foreach (var e in entries)
            foreach (var t in e.Transactions)
            {
                var line = new BankStatementLine
                {
                    Id = SequentialIds.Next(), CompanyId = company, BankStatementId = statement.Id, LineNumber = ++lineNumber,
                    BookingDate = e.BookingDate, ValueDate = e.ValueDate ?? e.BookingDate, Amount = Cents(t.Amount, "amount"), Currency = t.Currency,
                    IsCredit = t.IsCredit, IsReversal = e.IsReversal, CounterpartyName = t.CounterpartyName ?? "", CounterpartyIban = t.CounterpartyIban ?? "",
                    RemittanceText = t.RemittanceText ?? "", StructuredReference = t.StructuredReference ?? "", EndToEndId = t.EndToEndId ?? "",
                    BankReference = t.BankReference ?? e.BankReference ?? "", Status = BankStatementLine.Open,
                };
                db.StampNew(line);
                lines.Add(line);
            }
            statement.LineCount = lineNumber;
        }

        // The matcher is built on the thread pool, and the lines are matched there on every core, while the import, its
        // statements and lines are written: the matcher only reads what it was built with and the lines as they are.
        var building = await LineMatching.StartForCompanyAsync(db, company, options, ct);
        using var stopMatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var matching = Task.Run(() => ProposeAllAsync(building, lines, stopMatching.Token), stopMatching.Token);
        import.StatementCount = statements.Count;
        import.LineCount = lines.Count;
        import.BankStatementIds = string.Join(",", statements.Select(s => s.Id.ToString("D")));
        var written = false;
        try
        {
            // The import and its statements through the change tracker, then their many lines and proposals in bulk.
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // Another request stored the same file or statement after this one looked (PostgreSQL's writers run side by side).
                db.ChangeTracker.Clear();
                throw new ApiException(409, "Request_EntityAlreadyExists",
                    "This file, or a statement in it, was imported by another request at the same time; it is stored once. See bankStatementImports.");
            }
            await PreparedRows.InsertManyAsync(db, lines, ct);
            written = true;
        }
        finally
        {
            if (!written) await stopMatching.CancelAsync();
        }
        var proposals = await matching;
        await PreparedRows.InsertManyAsync(db, proposals, ct);
        import.ProposalCount = proposals.Count;
        await db.SaveChangesAsync(ct);
        return (import, statements);
    }

    /// <summary>The proposals of every line, matched on every core, in the lines' order.</summary>
    private static async Task<List<BankMatchProposal>> ProposeAllAsync(Task<Matching.Matcher> building, List<BankStatementLine> lines, CancellationToken ct)
    {
        var matcher = await building;
        var proposed = new List<BankMatchProposal>[lines.Count];
        Parallel.For(0, lines.Count, new ParallelOptions { CancellationToken = ct }, i => proposed[i] = LineMatching.Propose(matcher, lines[i]));
        var all = proposed.SelectMany(p => p).ToList();
        // Ids rising in the order the rows are written, so that they append to their index (see SequentialIds).
        foreach (var p in all) p.Id = SequentialIds.Next();
        return all;
    }

    private static long Cents(decimal amount, string what) =>
        Wire.ToScaled(amount, 2) is { } c && amount == Math.Round(amount, 2) ? c
            : throw ApiErrors.BadRequest($"The {what} {amount} has more than two decimals or is out of range.");

    public static string FormatName(StatementFormat format) => format switch
    {
        StatementFormat.Camt053 => "camt.053",
        StatementFormat.Camt054 => "camt.054",
        StatementFormat.Mt940 => "MT940",
        _ => "CSV",
    };
}
