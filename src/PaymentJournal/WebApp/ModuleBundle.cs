using System.Text;
using System.Text.RegularExpressions;

namespace PaymentJournal.WebApp;

/// <summary>
/// The app's modules joined into one script at start, so that a browser fetches one file instead of one per module
/// (six connections to a host at once: the modules held up the first API reads). The modules stay as they are in the
/// repository and are still served one by one under /ui/js/. Each becomes a function run once, in import order, that
/// returns its exports; an import becomes a constant taken from what its module returned. Only the forms the app uses
/// are understood (one-line <c>import { a, b } from './x.js'</c> and <c>import * as x from './x.js'</c>; <c>export</c>
/// before a function, const or class); anything else stops the start, so the bundle never differs from the modules.
/// </summary>
public static partial class ModuleBundle
{
    /// <summary>The bundle of the modules reachable from <paramref name="entry"/>; names are relative ("js/main.js").</summary>
    public static string Build(IReadOnlyDictionary<string, string> modules, string entry)
    {
        var order = new List<string>();
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        Visit(entry, modules, order, visiting);
        var ids = order.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => $"module{x.i}", StringComparer.Ordinal);
        var bundle = new StringBuilder("// The app's modules in one file, made by the service at start from the modules under /ui/js/.\n");
        foreach (var name in order)
        {
            var exports = new List<string>();
            var body = Statement().Replace(modules[name], m =>
            {
                if (m.Groups["export"].Success)
                {
                    exports.Add(m.Groups["name"].Value);
                    return m.Groups["declaration"].Value;
                }
                var from = ids[Resolve(name, m.Groups["from"].Value)];
                return m.Groups["all"].Success
                    ? $"const {m.Groups["all"].Value} = {from};"
                    : $"const {{ {AsRename().Replace(m.Groups["names"].Value.Trim(), ": ")} }} = {from};";
            });
            if (Leftover().Match(body) is { Success: true } left)
                throw new InvalidOperationException($"The web app's module {name} has a statement the bundle does not understand: '{left.Value.Trim()}'.");
            bundle.Append("\n// ---- ").Append(name).Append(" ----\nconst ").Append(ids[name]).Append(" = (() => {\n")
                .Append(body.TrimEnd()).Append("\nreturn { ").Append(string.Join(", ", exports)).Append(" };\n})();\n");
        }
        return bundle.ToString();
    }

    /// <summary>Depth first: a module's imports come before it. A cycle stops the start (each module runs once, whole).</summary>
    private static void Visit(string name, IReadOnlyDictionary<string, string> modules, List<string> order, HashSet<string> visiting)
    {
        if (order.Contains(name)) return;
        if (!modules.TryGetValue(name, out var source))
            throw new InvalidOperationException($"The web app imports {name}, which is not one of its files.");
        if (!visiting.Add(name))
            throw new InvalidOperationException($"The web app's modules import each other in a cycle through {name}.");
        foreach (Match m in Statement().Matches(source))
            if (m.Groups["from"].Success) Visit(Resolve(name, m.Groups["from"].Value), modules, order, visiting);
        visiting.Remove(name);
        order.Add(name);
    }

    private static string Resolve(string importer, string relative) =>
        new Uri(new Uri("http://app/" + importer), relative).AbsolutePath.TrimStart('/');

    // An import or an export at the start of a line.
    [GeneratedRegex(@"^(?:import\s+(?:\{(?<names>[\w$\s,]+)\}|\*\s+as\s+(?<all>[\w$]+))\s+from\s+'(?<from>\.{1,2}/[\w./-]+\.js)';[ \t]*$" +
                    @"|(?<export>export\s+)(?<declaration>(?:async\s+)?(?:function\s*\*?|const|class)\s*(?<name>[\w$]+)))", RegexOptions.Multiline)]
    private static partial Regex Statement();

    [GeneratedRegex(@"\s+as\s+")]
    private static partial Regex AsRename();

    // Any import or export left over.
    [GeneratedRegex(@"^\s*(?:import|export)\b[^\n]*", RegexOptions.Multiline)]
    private static partial Regex Leftover();
}
