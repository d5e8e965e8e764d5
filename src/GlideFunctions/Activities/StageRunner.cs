using System.Diagnostics;
using Glide.Pipeline;
using GlideFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GlideFunctions.Activities;

/// <summary>
/// Runs one stage's diffusion loop for an activity on its own thread while the activity's async side, every
/// <see cref="Interval"/>, saves the loop's step progress and checks for a cancel request; a cancel stops the loop
/// at its next step (the core checks the token before every step).
/// </summary>
public sealed partial class StageRunner : IAsyncDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _running = new();
    private readonly RunSignals _signals;
    private readonly ILogger<StageRunner> _logger;

    public StageRunner(RunSignals signals, TimeSpan interval, ILogger<StageRunner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _signals = signals;
        Interval = interval;
        _logger = logger ?? NullLogger<StageRunner>.Instance;
    }

    /// <summary>How often progress is saved and the cancel request looked for.</summary>
    public TimeSpan Interval { get; }

    /// <summary>
    /// Runs <paramref name="work"/> (which reports its steps and honours the token) for part
    /// <paramref name="part"/> of <paramref name="stage"/>; returns its result and the seconds it took.
    /// </summary>
    /// <exception cref="OperationCanceledException">The client cancelled the run, before or during the work.</exception>
    public async Task<(T Result, double Seconds)> RunAsync<T>(
        string runId, string stage, int part, Func<IProgress<StageProgress>, CancellationToken, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (await CancelRequestedAsync(runId).ConfigureAwait(false))
        {
            throw Canceled(runId, stage, part, step: 0);
        }

        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        var steps = new LatestStep();
        var stopwatch = Stopwatch.StartNew();

        // A dedicated thread: the loop is seconds to minutes of CPU (or GPU waits) that must not hold a pool thread.
        var compute = Task.Factory.StartNew(
            () => work(steps, cancel.Token), CancellationToken.None, TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        _running.TryAdd(compute, 0);
        _ = compute.ContinueWith(
            done => _running.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        var saved = -1;
        while (!compute.IsCompleted)
        {
            await Task.WhenAny(compute, Task.Delay(Interval)).ConfigureAwait(false);
            if (compute.IsCompleted)
            {
                break;
            }

            saved = await SaveAsync(runId, stage, part, steps, saved).ConfigureAwait(false);
            if (!cancel.IsCancellationRequested && await CancelRequestedAsync(runId).ConfigureAwait(false))
            {
                LogCancel(_logger, runId, stage, part, steps.Step);
                await cancel.CancelAsync().ConfigureAwait(false);
            }
        }

        T result;
        try
        {
            result = await compute.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            throw new OperationCanceledException(
                $"the worker is shutting down; {stage} part {part} of {runId} stopped after step {steps.Step}");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw Canceled(runId, stage, part, steps.Step);
        }

        await SaveAsync(runId, stage, part, steps, saved).ConfigureAwait(false);
        return (result, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Stops every running loop at its next step and waits for them, so the ONNX sessions they use can be released
    /// safely (the host disposes this before the model set, which it created first).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_shutdown.IsCancellationRequested)
        {
            await _shutdown.CancelAsync().ConfigureAwait(false);
        }

        // Their activities report how they ended; here only the waiting matters.
        await Task.WhenAll(_running.Keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task<int> SaveAsync(string runId, string stage, int part, LatestStep steps, int saved)
    {
        var (step, of) = steps.Read();
        if (step == saved || of == 0)
        {
            return saved;
        }

        try
        {
            await _signals.WriteProgressAsync(runId, new StepProgressRecord(stage, part, step, of), CancellationToken.None)
                .ConfigureAwait(false);
            return step;
        }
        catch (Exception e) when (e is Azure.RequestFailedException or IOException or TimeoutException)
        {
            // Progress is a courtesy: a storage hiccup must not fail a stage that is computing fine.
            LogProgressFailed(_logger, e, runId, stage, part);
            return saved;
        }
    }

    private async Task<bool> CancelRequestedAsync(string runId)
    {
        try
        {
            return await _signals.IsCancelRequestedAsync(runId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or IOException or TimeoutException)
        {
            LogCancelCheckFailed(_logger, e, runId);
            return false;
        }
    }

    private static OperationCanceledException Canceled(string runId, string stage, int part, int step) =>
        new($"generation {runId} was canceled by the client; {stage} part {part} stopped after step {step}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancel requested for {RunId}: stopping {Stage} part {Part} after step {Step}")]
    private static partial void LogCancel(ILogger logger, string runId, string stage, int part, int step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not save the progress of {RunId} {Stage} part {Part}")]
    private static partial void LogProgressFailed(ILogger logger, Exception exception, string runId, string stage, int part);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check {RunId} for a cancel request")]
    private static partial void LogCancelCheckFailed(ILogger logger, Exception exception, string runId);

    /// <summary>The last step reported, read from another thread; no synchronization context involved.</summary>
    private sealed class LatestStep : IProgress<StageProgress>
    {
        private long _packed;

        public int Step => Read().Step;

        /// <summary>Step and step count from one read, so they always belong together.</summary>
        public (int Step, int Steps) Read()
        {
            var packed = Volatile.Read(ref _packed);
            return ((int)(packed >> 32), (int)(packed & 0xFFFF_FFFF));
        }

        public void Report(StageProgress value) =>
            Volatile.Write(ref _packed, ((long)value.Step << 32) | (uint)value.Steps);
    }
}
