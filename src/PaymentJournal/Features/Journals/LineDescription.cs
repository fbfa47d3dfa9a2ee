using PaymentJournal.Data;
using PaymentJournal.OData;

namespace PaymentJournal.Features.Journals;

/// <summary>
/// A journal line's description, as the journal line's validation sets it: one sent (not empty) is kept; otherwise a
/// new account (customer, vendor, G/L account), or a new line without one, takes the account's name, cut to the
/// page's length, unless the line's description was typed by hand ("ad hoc": not the old account's name).
/// </summary>
public static class LineDescription
{
    /// <param name="nameOf">Reads an account's name by id (only the old account's, and only when the account changed).</param>
    public static async Task ApplyAsync(JournalLine p, Body b, bool isCreate, Guid oldAccount, Guid newAccount, string newName,
        Func<Guid, Task<string?>> nameOf, int length)
    {
        if (b.TryGet("description", out string description) && description.Length > 0)
        {
            p.Description = description;
            return;
        }
        var changed = newAccount != oldAccount;
        if (!changed && !(isCreate && p.Description.Length == 0)) return;
        var oldName = changed && oldAccount != Guid.Empty ? await nameOf(oldAccount) ?? "" : "";
        var adHoc = !isCreate && p.Description.Length > 0 && p.Description != Cut(oldName, length);
        if (!adHoc || b.Has("description")) p.Description = Cut(newName, length);
    }

    private static string Cut(string s, int length) => s.Length > length ? s[..length] : s;
}
