namespace PaymentJournal.Tests.Fixtures;

/// <summary>
/// The public sample bank files kept beside the checkout (../shared/data/bank), read in place and never copied in.
/// </summary>
public static class BankFiles
{
    public static string Folder { get; } = Find();

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Folder, name));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PaymentJournal.slnx")))
                return Path.Combine(dir.Parent!.FullName, "shared", "data", "bank");
        throw new InvalidOperationException("The repository root (PaymentJournal.slnx) is not above " + AppContext.BaseDirectory);
    }
}
