using PaymentJournal;
using PaymentJournal.Data;

if (Backup.IsCommand(args)) return Backup.Run(args, Console.Out, Console.Error);

WebApplication app;
try
{
    app = App.Build(args);
}
catch (InvalidOperationException e) when (e.Message.StartsWith("Auth", StringComparison.Ordinal) || e.Message.StartsWith("Throttling", StringComparison.Ordinal)
                                        || e.Message.StartsWith("Telemetry", StringComparison.Ordinal) || e.Message.StartsWith("OTEL_", StringComparison.Ordinal))
{
    // A configuration that cannot be safe: say why, without a stack trace, and do not start.
    Console.Error.WriteLine("PaymentJournal did not start: " + e.Message);
    return 1;
}
try
{
    await App.PrepareDatabaseAsync(app);
}
catch (InvalidOperationException e) when (e.Message.StartsWith("Database:", StringComparison.Ordinal))
{
    Console.Error.WriteLine("PaymentJournal did not start: " + e.Message);
    return 1;
}
app.Run();
return 0;
