namespace PaymentJournal.Emulator;

/// <summary>
/// Lets requests run side by side until an emulator operation needs the database to itself: it closes the gate, waits
/// for the requests in flight to finish, runs, and opens it again; requests that arrive meanwhile wait at the gate.
/// So no request sees a half-restored database. Used only while Emulator:Enabled is on.
/// </summary>
public sealed class RequestGate
{
    private readonly object _lock = new();
    private readonly SemaphoreSlim _exclusive = new(1, 1);
    private int _active;
    private TaskCompletionSource? _closed;
    private TaskCompletionSource? _drained;

    public async ValueTask EnterAsync(CancellationToken ct)
    {
        while (true)
        {
            Task closed;
            lock (_lock)
            {
                if (_closed is null)
                {
                    _active++;
                    return;
                }
                closed = _closed.Task;
            }
            await closed.WaitAsync(ct);
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            _active--;
            if (_active == 0) _drained?.TrySetResult();
        }
    }

    /// <summary>Runs <paramref name="work"/> with no request in flight; <paramref name="ct"/> only cancels the wait.</summary>
    public async Task<T> RunAloneAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        await _exclusive.WaitAsync(ct);
        Task drained;
        lock (_lock)
        {
            _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_active == 0) _drained.TrySetResult();
            drained = _drained.Task;
        }
        try
        {
            await drained.WaitAsync(ct);
            return await work();
        }
        finally
        {
            TaskCompletionSource closed;
            lock (_lock)
            {
                closed = _closed!;
                _closed = null;
                _drained = null;
            }
            closed.TrySetResult();
            _exclusive.Release();
        }
    }
}

/// <summary>Passes every request but the emulator's own through the <see cref="RequestGate"/>.</summary>
public sealed class RequestGateMiddleware(RequestDelegate next, RequestGate gate)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (http.Request.Path.StartsWithSegments(EmulatorEndpoints.Root, StringComparison.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }
        // A wait cut short by the request timeout is answered as any timeout is, by the middleware before this one.
        await gate.EnterAsync(http.RequestAborted);
        try
        {
            await next(http);
        }
        finally
        {
            gate.Exit();
        }
    }
}
