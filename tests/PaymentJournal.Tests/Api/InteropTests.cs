using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Xunit.Abstractions;

namespace PaymentJournal.Tests.Api;

/// <summary>
/// Two OData clients nobody here wrote, run by node against the service: odata2ts (generates a client from each
/// surface's $metadata, then uses its fetch runtime) and o.js. tests/interop/interop.mjs does the work and writes a
/// report; every case must pass, or be marked by the script as something the client cannot do (with why). Without node
/// or the packages this fails and says what to install.
/// </summary>
[Trait("Category", "Slow")]
public sealed class InteropTests(ServiceFixture f, ITestOutputHelper output) : IClassFixture<ServiceFixture>
{
    private sealed record Case(string Client, [property: System.Text.Json.Serialization.JsonPropertyName("case")] string Name, string Status, string Detail);

    [Fact]
    public async Task OData_clients_nobody_here_wrote_work_with_the_service()
    {
        var dir = InteropDir();
        Assert.True(File.Exists(Path.Combine(dir, "node_modules", "@odata2ts", "odata2ts", "package.json")) && File.Exists(Path.Combine(dir, "node_modules", "o.js", "package.json")),
            $"the interop packages are not installed: run 'npm ci' in {dir} (node 20 and npm; CI does it in .ci/run)");
        var report = Path.Combine(f.Directory, "interop-report.json");
        var start = new ProcessStartInfo("node", ["interop.mjs"]) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PJ_BASE"] = f.BaseAddress.ToString().TrimEnd('/');
        start.Environment["PJ_COMPANY"] = ServiceFixture.Company;
        start.Environment["PJ_JOURNAL"] = ServiceFixture.General;
        start.Environment["PJ_REPORT"] = report;
        Process node;
        try
        {
            node = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"node is not installed ({e.Message}): install node 20 and npm (apt-get install -y nodejs npm), then run 'npm ci' in {dir}");
            return;
        }
        using (node)
        {
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
            try { await node.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { node.Kill(entireProcessTree: true); Assert.Fail("the interop script did not finish in 8 minutes"); }
            output.WriteLine(await stdout);
            Assert.True(node.ExitCode == 0 && File.Exists(report), $"the interop script failed ({node.ExitCode}): {await stderr}");
        }

        var cases = JsonSerializer.Deserialize<List<Case>>(JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("cases"),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        var failed = cases.Where(c => c.Status == "fail").Select(c => $"{c.Client}: {c.Name}: {c.Detail}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));

        // What each client must do, and does.
        string[] both = ["list", "create", "get", "update with the ETag", "delete", "filter, orderby, top, select", "count", "Microsoft.NAV.post (posting group)"];
        foreach (var client in new[] { "odata2ts", "o.js" })
            foreach (var name in both)
                Assert.Contains(cases, c => c.Client == client && c.Name == name && c.Status == "pass");
        foreach (var surface in new[] { "v2", "graph", "ledger", "posting" })
            Assert.Contains(cases, c => c.Client == "odata2ts" && c.Name == $"generate from {surface} $metadata" && c.Status == "pass");
        Assert.Contains(cases, c => c.Client == "o.js" && c.Name == "$batch" && c.Status == "pass");
        // A case a client cannot do says why.
        Assert.All(cases.Where(c => c.Status == "unsupported"), c => Assert.False(string.IsNullOrWhiteSpace(c.Detail), $"{c.Client}: {c.Name} gives no reason"));
        Assert.All(cases, c => Assert.Contains(c.Status, new[] { "pass", "unsupported" }));
    }

    private static string InteropDir([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "interop"));
}
