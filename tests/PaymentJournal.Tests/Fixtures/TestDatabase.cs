using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// The database the API tests run on. PAYMENTJOURNAL_TEST_PROVIDER picks the provider (sqlite, the default, or
/// postgres), so CI runs the same suite once per provider. On PostgreSQL every caller gets a fresh database of its
/// own (CREATE DATABASE) in one server per test run: PAYMENTJOURNAL_TEST_POSTGRES when set (a connection string
/// whose user may create databases), else a throwaway server started from the machine's PostgreSQL binaries.
/// </summary>
public static class TestDatabase
{
    public const string ProviderVariable = "PAYMENTJOURNAL_TEST_PROVIDER";
    public const string ServerVariable = "PAYMENTJOURNAL_TEST_POSTGRES";

    public static DatabaseProvider Provider { get; } = ReadProvider();

    private static DatabaseProvider ReadProvider()
    {
        var value = Environment.GetEnvironmentVariable(ProviderVariable);
        return value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "sqlite" => DatabaseProvider.Sqlite,
            "postgres" or "postgresql" => DatabaseProvider.Postgres,
            // A typo must not quietly run the suite on SQLite and report it as a PostgreSQL run.
            _ => throw new InvalidOperationException($"{ProviderVariable}='{value}' is not a provider: use sqlite or postgres."),
        };
    }

    /// <summary>A fresh, empty database of the given provider; for SQLite a file under <paramref name="directory"/>.</summary>
    public static async Task<string> CreateAsync(DatabaseProvider provider, string directory, string name)
    {
        if (provider == DatabaseProvider.Sqlite) return $"Data Source={Path.Combine(directory, name + ".db")}";
        var server = await PostgresServer.SharedAsync();
        return await server.CreateDatabaseAsync();
    }

    /// <summary>Drops a database made by <see cref="CreateAsync"/> (SQLite files go with their directory).</summary>
    public static async Task DropAsync(DatabaseProvider provider, string connectionString)
    {
        if (provider != DatabaseProvider.Postgres) return;
        var server = await PostgresServer.SharedAsync();
        await server.DropDatabaseAsync(connectionString);
    }
}

/// <summary>
/// One PostgreSQL server for the whole test run. Either the server named by PAYMENTJOURNAL_TEST_POSTGRES or a
/// throwaway cluster made with initdb in a temp folder (as the postgres OS user when the tests run as root, because
/// initdb refuses root), listening on a free loopback port and stopped and deleted when the test process exits.
/// Missing binaries fail every test that needs the server, with the reason: a PostgreSQL run never passes by
/// quietly running nothing.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string BinariesVariable = "PAYMENTJOURNAL_TEST_PG_BIN";
    private const string DefaultBin = "/usr/lib/postgresql/15/bin";
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    private static int _databases;

    private readonly string? _dataRoot;
    private readonly string? _bin;
    private readonly string? _runAs;
    private readonly string? _options;

    /// <summary>Connection string of the maintenance database, for CREATE/DROP DATABASE.</summary>
    public string AdminConnectionString { get; }

    private PostgresServer(string admin, string? dataRoot, string? bin, string? runAs, string? options = null)
    {
        AdminConnectionString = admin;
        _dataRoot = dataRoot;
        _bin = bin;
        _runAs = runAs;
        _options = options;
    }

    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>
    /// A throwaway server of the caller's own, always from the machine's binaries (never the shared or a given one), for
    /// a test that stops and starts it; <see cref="DisposeAsync"/> removes it. It commits durably (synchronous_commit on),
    /// since such a test counts acknowledged writes after a crash.
    /// </summary>
    public static Task<PostgresServer> StartOwnAsync() => LaunchAsync(durable: true);

    /// <summary>Stops an own server (pg_ctl stop; "immediate" is a crash, "fast" ends the sessions first).</summary>
    public Task StopAsync(string mode = "fast") =>
        RunAsync(Path.Combine(Bin, "pg_ctl"), ["-D", Path.Combine(_dataRoot!, "data"), "-m", mode, "-w", "stop"], _runAs);

    /// <summary>Starts an own server again after <see cref="StopAsync"/>, on the same port and data.</summary>
    public Task StartAgainAsync() =>
        RunAsync(Path.Combine(Bin, "pg_ctl"), ["-D", Path.Combine(_dataRoot!, "data"), "-l", Path.Combine(_dataRoot!, "server.log"), "-o", _options!, "-w", "-t", "60", "start"], _runAs);

    private string Bin => _bin ?? throw new InvalidOperationException("Only a server this run started can be stopped and started.");

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    /// <summary>A fresh database; <paramref name="options"/> (SQL of our own, never input) adds to CREATE DATABASE, e.g. a locale.</summary>
    public async Task<string> CreateDatabaseAsync(string options = "")
    {
        var name = $"pj_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..6]}";
        await ExecAsync($"CREATE DATABASE \"{name}\" {options}");
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        // Idle pooled connections of the service would hold the database open; FORCE ends any that remain.
        await using (var probe = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(probe);
        await ExecAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    public async Task ExecAsync(string sql, string? connectionString = null)
    {
        await using var conn = new NpgsqlConnection(connectionString ?? AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var given = Environment.GetEnvironmentVariable(TestDatabase.ServerVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            var csb = new NpgsqlConnectionStringBuilder(given) { Pooling = false };
            if (string.IsNullOrEmpty(csb.Database)) csb.Database = "postgres";
            return new PostgresServer(csb.ConnectionString, null, null, null);
        }
        return await LaunchAsync(durable: false);
    }

    private static async Task<PostgresServer> LaunchAsync(bool durable)
    {
        var bin = Environment.GetEnvironmentVariable(BinariesVariable) ?? DefaultBin;
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
        {
            if (!File.Exists(Path.Combine(bin, tool)))
                throw new InvalidOperationException(
                    $"The PostgreSQL tests need {Path.Combine(bin, tool)} (Debian: apt-get install -y postgresql-15), " +
                    $"or {TestDatabase.ServerVariable} set to a server's connection string, or {BinariesVariable} set to another bin folder.");
        }

        RemoveLeftovers();
        var root = Path.Combine(Path.GetTempPath(), $"pj-pg-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "owner.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // initdb refuses to run as root; the cluster then belongs to the postgres OS user.
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        if (runAs is not null) await RunAsync("chown", [runAs, root], null);
        var data = Path.Combine(root, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], runAs);

        var port = FreePort();
        // The shared server skips fsync and waits for no WAL flush, which keeps hundreds of CREATE DATABASE and commits
        // quick. A durable one writes the WAL before a commit is acknowledged (synchronous_commit on), so a crash of the
        // server (pg_ctl -m immediate) loses nothing acknowledged; fsync stays off, as the machine itself does not crash.
        var options = $"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} -c max_connections=400 " +
                      $"-c fsync=off -c synchronous_commit={(durable ? "on" : "off")} -c full_page_writes=off -c shared_buffers=128MB";
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(root, "server.log"), "-o", options, "-w", "-t", "60", "start"], runAs);

        var server = new PostgresServer(
            new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Pooling = false }.ConnectionString,
            root, bin, runAs, options);
        // The test host may be ended before its exit handlers finish (or killed), so a watchdog outside it stops the
        // server and deletes its folder once the test process is gone; the exit handler only makes that quicker.
        var pgCtl = Path.Combine(bin, "pg_ctl");
        var stop = (runAs is null ? "" : $"runuser -u {runAs} -- ") + $"{pgCtl} -D '{data}' -m immediate -w stop";
        Watchdog.WhenGone(Environment.ProcessId, $"{stop}; rm -rf '{root}'");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server;
    }

    /// <summary>Stops the throwaway server and deletes its folder (nothing to do for a given server).</summary>
    private void Stop()
    {
        if (_dataRoot is null) return;
        try
        {
            RunAsync(Path.Combine(_bin!, "pg_ctl"), ["-D", Path.Combine(_dataRoot, "data"), "-m", "immediate", "-w", "stop"], _runAs).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException) { }
        try { Directory.Delete(_dataRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Servers of earlier runs whose test process died without stopping them (killed, say).</summary>
    private static void RemoveLeftovers()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "pj-pg-*"))
        {
            try
            {
                var ownerFile = Path.Combine(dir, "owner.pid");
                if (!File.Exists(ownerFile) || !int.TryParse(File.ReadAllText(ownerFile), out var owner) || IsAlive(owner)) continue;
                var pidFile = Path.Combine(dir, "data", "postmaster.pid");
                if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var postmaster) && IsAlive(postmaster))
                    Process.GetProcessById(postmaster).Kill();
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            catch (InvalidOperationException) { }
        }
    }

    private static bool IsAlive(int pid)
    {
        try { return !Process.GetProcessById(pid).HasExited; }
        catch (ArgumentException) { return false; }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string[] args, string? runAs)
    {
        var psi = new ProcessStartInfo(runAs is null ? file : "runuser")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (runAs is not null)
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(runAs);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        // pg_ctl start leaves the server holding inherited pipes, so read only until the tool itself exits.
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            var err = await Task.WhenAny(stderr, Task.Delay(1000)) == stderr ? await stderr : "";
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed with exit code {p.ExitCode}: {err}");
        }
        _ = stdout;
    }
}
