using Microsoft.Data.Sqlite;
using PaymentJournal.Data;
using Xunit;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>A fact that runs on Linux only (it reads /proc).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "thread nice values are a Linux matter";
    }
}
