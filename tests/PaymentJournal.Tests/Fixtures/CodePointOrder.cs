using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using PaymentJournal.Data;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Code-point order (UTF-8 byte order): the order strings compare and sort in.</summary>
public sealed class CodePointOrder : IComparer<string>
{
    public static readonly CodePointOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = Encoding.UTF8.GetBytes(x ?? "");
        var b = Encoding.UTF8.GetBytes(y ?? "");
        return a.AsSpan().SequenceCompareTo(b);
    }
}
