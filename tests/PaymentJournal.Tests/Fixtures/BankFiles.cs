namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// The public sample bank files kept beside the checkout (../shared/data/bank), read in place and never copied in.
/// </summary>
public static class BankFiles
{
    public static string Folder { get; } = Find();

    /// <summary>The demo company's own sample statements, in the repository (samples/bank).</summary>
    public static string Samples { get; } = Path.Combine(Root(), "samples", "bank");

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Folder, name));

    private static string Find() => Path.Combine(Directory.GetParent(Root())!.FullName, "shared", "data", "bank");

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PaymentJournal.slnx"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (PaymentJournal.slnx) is not above " + AppContext.BaseDirectory);
    }
}
