using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace PaymentJournal.Tests.Unit;

/// <summary>
/// Dependencies point one way: OData/ (the protocol) knows nothing of the entity sets (Features/), which reach it through
/// the seams it declares; Data/ (storage) knows nothing of OData/ or Features/; and Errors/ knows nothing of OData/,
/// Features/ or Data/. Read from the source, so a failure names the file.
/// </summary>
public sealed partial class LayeringTests
{
    public static TheoryData<string, string[]> Layers => new()
    {
        { "OData", ["Features"] },
        { "Data", ["OData", "Features"] },
        { "Errors", ["OData", "Features", "Data"] },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_layer_names_nothing_of_the_layers_above_it(string folder, string[] forbidden)
    {
        var root = Path.Combine(SourceRoot(), folder);
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        var offences = new List<string>();
        foreach (var file in files)
        {
            var code = CodeOnly(File.ReadAllText(file));
            foreach (var ns in forbidden)
                foreach (Match m in NameOf(ns).Matches(code))
                    offences.Add($"{Path.GetRelativePath(SourceRoot(), file)}: '{m.Value.Trim()}'");
        }
        Assert.True(offences.Count == 0, $"{folder}/ names {string.Join(", ", forbidden)}:\n" + string.Join('\n', offences));
    }

    [Fact]
    public void The_check_sees_a_name_of_a_layer_above()
    {
        // The check itself must be able to fail: each way of naming another namespace is found, comments and strings are not.
        Assert.Matches(NameOf("OData"), CodeOnly("using PaymentJournal.OData;"));
        Assert.Matches(NameOf("OData"), CodeOnly("public Task RunAsync(OData.RequestContext rc) => null;"));
        Assert.Matches(NameOf("Features"), CodeOnly("using X = global::PaymentJournal.Features.Customers.CustomersSet;"));
        Assert.DoesNotMatch(NameOf("OData"), CodeOnly("using Microsoft.OData.Edm; // see OData.RequestContext\nvar s = \"PaymentJournal.OData\";"));
        Assert.DoesNotMatch(NameOf("Data"), CodeOnly("namespace PaymentJournal.Errors; var d = System.Data.IsolationLevel.ReadCommitted;"));
    }

    /// <summary>PaymentJournal.{ns}, or {ns}. as seen from inside PaymentJournal (not Microsoft.OData, System.Data, ...).</summary>
    private static Regex NameOf(string ns) => new(@"(?<![\w.])(global::)?(PaymentJournal\.)?" + ns + @"\.\w+|PaymentJournal\." + ns + @"\b", RegexOptions.CultureInvariant);

    /// <summary>The source without comments and string or character literals.</summary>
    private static string CodeOnly(string source) => NotCode().Replace(source, m => m.Value.StartsWith("//", StringComparison.Ordinal) || m.Value.StartsWith("/*", StringComparison.Ordinal) ? " " : "\"\"");

    [GeneratedRegex("""//[^\n]*|/\*.*?\*/|@"(?:[^"]|"")*"|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)'""", RegexOptions.Singleline)]
    private static partial Regex NotCode();

    private static string SourceRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "src", "PaymentJournal"));
}
