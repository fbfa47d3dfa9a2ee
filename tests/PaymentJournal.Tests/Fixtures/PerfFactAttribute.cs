using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>A fact that runs only when PJ_PERF=1 (timing harnesses stay out of the default run).</summary>
public sealed class PerfFactAttribute : FactAttribute
{
    public PerfFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("PJ_PERF") != "1") Skip = "Timing harness: run with PJ_PERF=1 dotnet test --filter category=perf";
    }
}
