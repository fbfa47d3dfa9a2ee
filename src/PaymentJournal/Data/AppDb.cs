using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Series = PaymentJournal.Data.NumberSeries;

namespace PaymentJournal.Data;

/// <summary>
/// The database. The schema itself comes from the versioned SQL migrations (Data/Migrations/{provider});
/// this mapping only has to agree with it: snake_case names, one table per entity.
/// </summary>
public sealed class AppDb : DbContext
{
    public AppDb(DbContextOptions<AppDb> options) : base(options)
    {
        // On SQLite every context keeps one connection of its own open for as long as the context lives (pooled
        // contexts live as long as the service). Otherwise each query would take a connection from
        // Microsoft.Data.Sqlite's pool and give it back, registering and removing EF Core's SQL functions on it each
        // time: a fifth of the CPU of a read by key went there. The connection is opened here, not by EF Core, and is
        // not the context's: EF Core never closes it, returning the context to its pool leaves it open, and the SQLite
        // handle closes when the connection is collected. (EF Core's own SQL functions, ef_* for decimals and regexp,
        // are not registered on it; the model has no decimal columns and no query uses a regular expression.)
        IsSqlite = Database.IsSqlite();
        IsPostgres = !IsSqlite && Database.IsNpgsql();
        if (IsSqlite && Database.GetConnectionString() is { Length: > 0 } connectionString)
        {
            var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
            connection.Open();
            SqlText.Register(connection);
            Database.SetDbConnection(connection, contextOwnsConnection: false);
        }
    }

    public DbSet<Company> Companies => Set<Company>();
    public DbSet<Series> NumberSeries => Set<Series>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<CustomerPostingGroup> CustomerPostingGroups => Set<CustomerPostingGroup>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Vendor> Vendors => Set<Vendor>();
    public DbSet<VendorPostingGroup> VendorPostingGroups => Set<VendorPostingGroup>();
    public DbSet<PurchaseInvoice> PurchaseInvoices => Set<PurchaseInvoice>();
    public DbSet<PurchaseInvoiceLine> PurchaseInvoiceLines => Set<PurchaseInvoiceLine>();
    public DbSet<VendorLedgerEntry> VendorLedgerEntries => Set<VendorLedgerEntry>();
    public DbSet<VendorLedgerApplication> VendorLedgerApplications => Set<VendorLedgerApplication>();
    public DbSet<SalesInvoice> SalesInvoices => Set<SalesInvoice>();
    public DbSet<SalesInvoiceLine> SalesInvoiceLines => Set<SalesInvoiceLine>();
    public DbSet<JournalBatch> JournalBatches => Set<JournalBatch>();
    public DbSet<CustomerPaymentJournal> CustomerPaymentJournals => Set<CustomerPaymentJournal>();
    public DbSet<VendorPaymentJournal> VendorPaymentJournals => Set<VendorPaymentJournal>();
    /// <summary>Lines of every kind, by key only: their other columns are mapped on each kind (see <see cref="MapOnKinds{TBase}"/>).</summary>
    public DbSet<JournalLine> JournalLines => Set<JournalLine>();
    public DbSet<CustomerPayment> CustomerPayments => Set<CustomerPayment>();
    public DbSet<VendorPayment> VendorPayments => Set<VendorPayment>();
    public DbSet<GeneralJournal> GeneralJournals => Set<GeneralJournal>();
    public DbSet<GeneralJournalLine> GeneralJournalLines => Set<GeneralJournalLine>();
    public DbSet<Dimension> Dimensions => Set<Dimension>();
    public DbSet<DimensionValue> DimensionValues => Set<DimensionValue>();
    public DbSet<PaymentDimension> PaymentDimensions => Set<PaymentDimension>();
    public DbSet<PaymentApplication> PaymentApplications => Set<PaymentApplication>();
    public DbSet<CustomerLedgerEntry> CustomerLedgerEntries => Set<CustomerLedgerEntry>();
    public DbSet<CustomerLedgerApplication> CustomerLedgerApplications => Set<CustomerLedgerApplication>();
    public DbSet<GeneralLedgerEntry> GeneralLedgerEntries => Set<GeneralLedgerEntry>();
    public DbSet<LedgerEntryDimension> LedgerEntryDimensions => Set<LedgerEntryDimension>();
    public DbSet<BankStatementImport> BankStatementImports => Set<BankStatementImport>();
    public DbSet<BankStatement> BankStatements => Set<BankStatement>();
    public DbSet<BankStatementLine> BankStatementLines => Set<BankStatementLine>();
    public DbSet<BankMatchProposal> BankMatchProposals => Set<BankMatchProposal>();
    public DbSet<CsvImportProfile> CsvImportProfiles => Set<CsvImportProfile>();
    public DbSet<CustomerIbanMapping> CustomerIbanMappings => Set<CustomerIbanMapping>();

    /// <summary>The provider, looked up once: asking EF Core each time costs a service lookup.</summary>
    public bool IsSqlite { get; }
    public bool IsPostgres { get; }

    /// <summary>PostgreSQL: the transaction in which a write may be held back for its commit (<see cref="Postgres.PostgresHeldWrite"/>).</summary>
    internal Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? HoldWritesIn { get; set; }
    /// <summary>PostgreSQL: the write held back, sent before the next statement or with the COMMIT.</summary>
    internal Postgres.PostgresHeldWrite.Held? HeldWrite { get; set; }

    /// <summary>The clock used for lastModifiedDateTime and ETags; tests may replace it.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    // The journal tables' template column is text like every other: no length from its discriminator values.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Conventions.Remove(typeof(Microsoft.EntityFrameworkCore.Metadata.Conventions.DiscriminatorLengthConvention));

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Company>().ToTable("companies");
        b.Entity<Series>().ToTable("number_series");
        b.Entity<Account>().ToTable("accounts");
        b.Entity<Customer>().ToTable("customers");
        b.Entity<CustomerPostingGroup>().ToTable("customer_posting_groups");
        b.Entity<Contact>().ToTable("contacts");
        b.Entity<SalesInvoice>().ToTable("sales_invoices");
        b.Entity<SalesInvoiceLine>().ToTable("sales_invoice_lines");
        // One table of batches and one of lines for every journal kind, told apart by template (table-per-hierarchy).
        b.Entity<JournalBatch>().ToTable("journal_batches").HasDiscriminator(x => x.Template)
            .HasValue<CustomerPaymentJournal>(JournalTemplates.CashReceipts).HasValue<VendorPaymentJournal>(JournalTemplates.Payments)
            .HasValue<GeneralJournal>(JournalTemplates.General);
        b.Entity<JournalLine>().ToTable("journal_lines").HasDiscriminator(x => x.Template)
            .HasValue<CustomerPayment>(JournalTemplates.CashReceipts).HasValue<VendorPayment>(JournalTemplates.Payments)
            .HasValue<GeneralJournalLine>(JournalTemplates.General);
        MapOnKinds<JournalLine>(b, LineKinds, nameof(JournalLine.Id), nameof(JournalLine.Template));
        b.Entity<Dimension>().ToTable("dimensions");
        b.Entity<DimensionValue>().ToTable("dimension_values");
        b.Entity<PaymentDimension>().ToTable("payment_dimensions").HasKey(x => new { x.PaymentId, x.DimensionId });
        b.Entity<PaymentApplication>().ToTable("customer_payment_applications");
        b.Entity<CustomerLedgerEntry>().ToTable("customer_ledger_entries");
        b.Entity<CustomerLedgerApplication>().ToTable("customer_ledger_applications");
        b.Entity<GeneralLedgerEntry>().ToTable("general_ledger_entries");
        b.Entity<LedgerEntryDimension>().ToTable("ledger_entry_dimensions").HasKey(x => new { x.EntryId, x.DimensionId });
        b.Entity<BankStatementImport>().ToTable("bank_statement_imports");
        b.Entity<BankStatement>().ToTable("bank_statements");
        b.Entity<BankStatementLine>().ToTable("bank_statement_lines");
        b.Entity<BankMatchProposal>().ToTable("bank_match_proposals");
        b.Entity<CsvImportProfile>().ToTable("csv_import_profiles");
        b.Entity<CustomerIbanMapping>().ToTable("customer_iban_mappings");
        b.Entity<Vendor>().ToTable("vendors");
        b.Entity<VendorPostingGroup>().ToTable("vendor_posting_groups");
        b.Entity<PurchaseInvoice>().ToTable("purchase_invoices");
        b.Entity<PurchaseInvoiceLine>().ToTable("purchase_invoice_lines");
        b.Entity<VendorLedgerEntry>().ToTable("vendor_ledger_entries");
        b.Entity<VendorLedgerApplication>().ToTable("vendor_ledger_applications");

        // The foreign keys the migrations declare, so that EF Core orders inserts and deletes to satisfy them.
        CompanyOwned<Series>(b, x => x.CompanyId);
        CompanyOwned<Account>(b, x => x.CompanyId);
        CompanyOwned<CustomerPostingGroup>(b, x => x.CompanyId);
        CompanyOwned<Customer>(b, x => x.CompanyId);
        CompanyOwned<Contact>(b, x => x.CompanyId);
        CompanyOwned<SalesInvoice>(b, x => x.CompanyId);
        CompanyOwned<SalesInvoiceLine>(b, x => x.CompanyId);
        CompanyOwned<JournalBatch>(b, x => x.CompanyId);
        // A line's keys are declared on each kind (MapOnKinds), by name: a lambda names the base class's member, which
        // the root does not map, and EF Core then adds a shadow key beside it.
        foreach (var kind in LineKinds)
        {
            b.Entity(kind).HasOne(typeof(Company)).WithMany().HasForeignKey(nameof(JournalLine.CompanyId)).OnDelete(DeleteBehavior.ClientNoAction);
            b.Entity(kind).HasOne(typeof(JournalBatch)).WithMany().HasForeignKey(nameof(JournalLine.JournalId)).OnDelete(DeleteBehavior.ClientNoAction);
        }
        CompanyOwned<PaymentApplication>(b, x => x.CompanyId);
        CompanyOwned<Dimension>(b, x => x.CompanyId);
        CompanyOwned<DimensionValue>(b, x => x.CompanyId);
        CompanyOwned<CustomerLedgerEntry>(b, x => x.CompanyId);
        CompanyOwned<CustomerLedgerApplication>(b, x => x.CompanyId);
        CompanyOwned<GeneralLedgerEntry>(b, x => x.CompanyId);
        CompanyOwned<BankStatementImport>(b, x => x.CompanyId);
        CompanyOwned<BankStatement>(b, x => x.CompanyId);
        CompanyOwned<BankStatementLine>(b, x => x.CompanyId);
        CompanyOwned<BankMatchProposal>(b, x => x.CompanyId);
        CompanyOwned<CsvImportProfile>(b, x => x.CompanyId);
        CompanyOwned<CustomerIbanMapping>(b, x => x.CompanyId);
        CompanyOwned<Vendor>(b, x => x.CompanyId);
        CompanyOwned<VendorPostingGroup>(b, x => x.CompanyId);
        CompanyOwned<PurchaseInvoice>(b, x => x.CompanyId);
        CompanyOwned<PurchaseInvoiceLine>(b, x => x.CompanyId);
        CompanyOwned<VendorLedgerEntry>(b, x => x.CompanyId);
        CompanyOwned<VendorLedgerApplication>(b, x => x.CompanyId);
        b.Entity<PurchaseInvoiceLine>().HasOne<PurchaseInvoice>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<BankStatement>().HasOne<BankStatementImport>().WithMany().HasForeignKey(x => x.ImportId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<BankStatementLine>().HasOne<BankStatement>().WithMany().HasForeignKey(x => x.BankStatementId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<BankMatchProposal>().HasOne<BankStatementLine>().WithMany().HasForeignKey(x => x.LineId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<SalesInvoiceLine>().HasOne<SalesInvoice>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<DimensionValue>().HasOne<Dimension>().WithMany().HasForeignKey(x => x.DimensionId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<PaymentDimension>().HasOne<JournalLine>().WithMany().HasForeignKey(x => x.PaymentId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<PaymentApplication>().HasOne<JournalLine>().WithMany().HasForeignKey(x => x.PaymentId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<PaymentDimension>().HasOne<Dimension>().WithMany().HasForeignKey(x => x.DimensionId).OnDelete(DeleteBehavior.ClientNoAction);
        b.Entity<PaymentDimension>().HasOne<DimensionValue>().WithMany().HasForeignKey(x => x.DimensionValueId).OnDelete(DeleteBehavior.ClientNoAction);

        // Every timestamp is UTC. Writes normalise the kind too: Npgsql refuses a non-UTC DateTime for timestamptz, and a
        // value of unspecified kind (from a filter literal, say) means UTC here, as it does on SQLite.
        var utc = new ValueConverter<DateTime, DateTime>(
            v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
            v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        foreach (var entity in b.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
                if (property.ClrType == typeof(DateTime)) property.SetValueConverter(utc);
            }
            if (typeof(Versioned).IsAssignableFrom(entity.ClrType) && entity.FindDeclaredProperty(nameof(Versioned.Version)) is { } version)
                version.IsConcurrencyToken = true;
        }
        // Each kind of journal line names the line's account in its own words.
        b.Entity<CustomerPayment>().Property(x => x.CustomerId).HasColumnName("account_id");
        b.Entity<CustomerPayment>().Property(x => x.CustomerNumber).HasColumnName("account_number");
        b.Entity<VendorPayment>().Property(x => x.VendorId).HasColumnName("account_id");
        b.Entity<VendorPayment>().Property(x => x.VendorNumber).HasColumnName("account_number");
        b.Entity<GeneralJournalLine>().Property(x => x.AccountId).HasColumnName("account_id");
        b.Entity<GeneralJournalLine>().Property(x => x.AccountNumber).HasColumnName("account_number");
        SqlText.Map(b, postgres: !Database.IsSqlite());
    }

    /// <summary>The kinds of journal line, each a page's rows in the one line table.</summary>
    private static readonly Type[] LineKinds = [typeof(CustomerPayment), typeof(VendorPayment), typeof(GeneralJournalLine)];

    /// <summary>
    /// Maps the properties of a hierarchy's root class on each kind instead, all but the key and the discriminator
    /// (<paramref name="onBase"/>). EF Core checks, on every read or write of a tracked row's property, that the
    /// property's type is the row's or a base of it; for a property of a root with kinds below it that check walks the
    /// root's derived types and allocates, which made a PATCH of a journal line a tenth dearer. The root's properties
    /// are therefore only read through a kind (<c>Set&lt;CustomerPayment&gt;()</c>, never <c>Set&lt;JournalLine&gt;()</c>).
    /// </summary>
    private static void MapOnKinds<TBase>(ModelBuilder b, Type[] kinds, params string[] onBase) where TBase : class
    {
        var root = b.Entity<TBase>();
        foreach (var property in root.Metadata.GetDeclaredProperties().Where(p => !onBase.Contains(p.Name)).ToList())
        {
            root.Ignore(property.Name);
            foreach (var kind in kinds) b.Entity(kind).Property(property.ClrType, property.Name);
        }
    }

    private static void CompanyOwned<T>(ModelBuilder b, System.Linq.Expressions.Expression<Func<T, object?>> key) where T : class =>
        b.Entity<T>().HasOne<Company>().WithMany().HasForeignKey(key).OnDelete(DeleteBehavior.ClientNoAction);

    /// <summary>
    /// Moves Version and LastModified of every added or changed row, so the ETag changes with every change. A lone
    /// update (a PATCH) is written by <see cref="PreparedRows"/>, with the same concurrency check.
    /// </summary>
    public override async Task<int> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        PreparedRows.ForgetAhead(this);
        ChangeTracker.DetectChanges();
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false; // detected once, above; stamping marks what it sets itself
        try
        {
            Stamp();
            if (await PreparedRows.TryUpdateAsync(this, cancellationToken)) return 1;
            return await base.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    public override int SaveChanges()
    {
        Stamp(); // enumerating the tracker detects the changes first
        return base.SaveChanges();
    }

    private void Stamp()
    {
        var now = Now();
        foreach (var entry in ChangeTracker.Entries<Versioned>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                entry.Property(x => x.LastModified).CurrentValue = now;
                entry.Property(x => x.Version).CurrentValue = NextVersion(entry.Entity.Version, now);
            }
        }
    }

    /// <summary>Stamps a new row written outside the change tracker (<see cref="PreparedRows"/>), as SaveChanges stamps an added one.</summary>
    public void StampNew(Versioned row)
    {
        var now = Now();
        row.LastModified = now;
        row.Version = NextVersion(row.Version, now);
    }

    /// <summary>Now, cut to milliseconds (the precision lastModifiedDateTime has on the wire).</summary>
    public DateTime Now()
    {
        var t = Clock.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    /// <summary>Versions grow with time as well as per change, so a row deleted and created again never reuses an old ETag.</summary>
    public static long NextVersion(long current, DateTime now) => Math.Max(current + 1, now.Ticks / 10);

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
