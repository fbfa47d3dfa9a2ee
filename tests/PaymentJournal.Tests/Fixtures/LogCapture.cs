using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PaymentJournal.Tests.Fixtures;

/// <summary>Keeps every log entry of every category and level as text: message, state values, scopes and exception.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    public ConcurrentQueue<string> Entries { get; } = new();
    private IExternalScopeProvider? _scopes;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
    public void Dispose() { }

    public static IEnumerable<KeyValuePair<string, string?>> TraceEverything =>
    [
        new("Logging:LogLevel:Default", "Trace"),
        new("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Trace"),
    ];

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes?.Push(state);
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new System.Text.StringBuilder().Append(category).Append(' ').Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                foreach (var (k, v) in values) text.Append(' ').Append(k).Append('=').Append(v);
            owner._scopes?.ForEachScope((scope, sb) => sb.Append(" scope=").Append(scope), text);
            if (exception is not null) text.Append(' ').Append(exception);
            owner.Entries.Enqueue(text.ToString());
        }
    }
}
