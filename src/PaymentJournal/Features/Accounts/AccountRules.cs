using PaymentJournal.Data;

namespace PaymentJournal.Features.Accounts;

/// <summary>What Business Central checks of a G/L account that a document line or a journal line posts to.</summary>
public static class AccountRules
{
    /// <summary>Why the account cannot be posted to (blocked, or not a posting account: CheckGLAcc), or null.</summary>
    public static string? PostingProblem(Account account) =>
        account.Blocked ? $"Blocked must be equal to 'No'  in G/L Account: No.={account.Number}. Current value is 'Yes'."
        : account.AccountType != "Posting" ? $"Account Type must be equal to 'Posting'  in G/L Account: No.={account.Number}. Current value is '{account.AccountType}'."
        : null;
}
