using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// A PaymentJournal node as its own OS process (`dotnet PaymentJournal.dll`, the build output copied next to the
/// test assembly), on loopback with a port of its own choosing, so that several nodes can share one database the way
/// they do behind a load balancer, and one can be killed outright.
/// </summary>
public sealed partial class ServiceNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; }
    public HttpClient Http { get; private set; } = null!;
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    private readonly string _workDir;

    private ServiceNode(string name, Process process, string workDir)
    {
        Name = name;
        _process = process;
        _workDir = workDir;
    }

    /// <summary>The node's working directory (a fresh temp folder), against which a relative SQLite path resolves.</summary>
    public string WorkDirectory => _workDir;

    /// <summary>Everything the node printed so far, for failure messages.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<ServiceNode> StartAsync(string name, string connectionString, params string[] extraArgs)
    {
        var node = Launch(name, connectionString, extraArgs);
        await node.WaitListeningAsync(TimeSpan.FromMinutes(3)); // gives up only on a hang
        return node;
    }

    /// <summary>Starts the process without waiting for it to listen (for nodes started all at once).</summary>
    public static ServiceNode Launch(string name, string connectionString, params string[] extraArgs)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "PaymentJournal.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"The service build output is missing: {dll}");
        var workDir = Path.Combine(Path.GetTempPath(), "pj-node-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(workDir);
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = workDir,
        };
        foreach (var a in new[]
                 {
                     dll, "--urls", "http://127.0.0.1:0", "--contentRoot", workDir,
                     "--Database:Provider=Postgres", "--ConnectionStrings:PaymentJournal=" + connectionString, "--Demo:Seed=true",
                     "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
                     "--Logging:LogLevel:PaymentJournal.Startup=Information", "--Logging:Console:FormatterName=simple",
                 })
            psi.ArgumentList.Add(a);
        foreach (var a in extraArgs) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet.");
        var node = new ServiceNode(name, process, workDir);
        Watchdog.KillWithOwner(Environment.ProcessId, process.Id);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => node._listening.TrySetException(new InvalidOperationException($"Node {name} exited with code {process.ExitCode} before listening:\n{node.Output}"));
        return node;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        var m = ListeningLine().Match(line);
        if (m.Success) _listening.TrySetResult(new Uri(m.Groups[1].Value));
    }

    public async Task WaitListeningAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(_listening.Task, Task.Delay(timeout));
        if (done != _listening.Task) throw new TimeoutException($"Node {Name} did not listen within {timeout}:\n{Output}");
        Http = new HttpClient { BaseAddress = await _listening.Task, Timeout = TimeSpan.FromSeconds(120) };
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, the open transaction simply disappears with the connection.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        try { await KillAsync(); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
