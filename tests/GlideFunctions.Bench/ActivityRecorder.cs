using System.Collections.Concurrent;
using System.Diagnostics;

namespace GlideFunctions.Bench;

/// <summary>
/// One activity execution as the worker saw it: when it started and ended (seconds on <see cref="BenchClock"/>) and
/// the compute seconds the activity itself reported (<c>…Output.Seconds</c>, what the orchestration sums into
/// <c>StageSeconds</c>).
/// </summary>
internal sealed record ActivityTiming(string Stage, int Part, double Start, double End, double ComputeSeconds)
{
    public double Wall => End - Start;

    /// <summary>Wall time inside the activity that is not its reported compute: blob reads and writes, PNG, setup.</summary>
    public double NonCompute => Wall - ComputeSeconds;
}

/// <summary>Monotonic seconds since the bench started, shared by the client side and the activity wrappers.</summary>
internal static class BenchClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    public static double Now => Stopwatch.GetElapsedTime(Origin).TotalSeconds;
}

/// <summary>
/// Collects <see cref="ActivityTiming"/>s per run id from the activity wrappers of <see cref="PipelineHost"/>, and
/// runs the activities of a serial run one at a time (to measure the pipeline's own cost without overlap).
/// </summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ActivityTiming>> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _serial = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs the activities of <paramref name="runId"/> one at a time from now on.</summary>
    public void MakeSerial(string runId) => _serial[runId] = 0;

    /// <summary>
    /// Runs <paramref name="activity"/> and records its span and <paramref name="computeSeconds"/> of its output; in a
    /// serial run the span starts once no other activity of a serial run is running.
    /// </summary>
    public async Task<T> TimeAsync<T>(
        string runId, string stage, int part, Func<Task<T>> activity, Func<T, double> computeSeconds)
    {
        var serial = _serial.ContainsKey(runId);
        if (serial)
        {
            await _gate.WaitAsync().ConfigureAwait(false);
        }

        try
        {
            var start = BenchClock.Now;
            var output = await activity().ConfigureAwait(false);
            var end = BenchClock.Now;
            _runs.GetOrAdd(runId, _ => new()).Enqueue(new ActivityTiming(stage, part, start, end, computeSeconds(output)));
            return output;
        }
        finally
        {
            if (serial)
            {
                _gate.Release();
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The activities recorded for <paramref name="runId"/> (retries included), and forgets them.</summary>
    public IReadOnlyList<ActivityTiming> Take(string runId)
    {
        _serial.TryRemove(runId, out _);
        return _runs.TryRemove(runId, out var timings) ? [.. timings.OrderBy(t => t.Start)] : [];
    }
}
