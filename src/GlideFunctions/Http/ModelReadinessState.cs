using Glide.Models;

namespace GlideFunctions.Http;

/// <summary>Where model loading stands; see <see cref="ModelReadiness"/>.</summary>
public sealed record ModelReadinessState
{
    private ModelReadinessState(ModelReadinessPhase phase) => Phase = phase;

    public static ModelReadinessState NotStarted { get; } = new(ModelReadinessPhase.NotStarted);

    public ModelReadinessPhase Phase { get; }

    /// <summary>When loading began (<see cref="ModelReadinessPhase.Loading"/> only).</summary>
    public DateTimeOffset? LoadingSince { get; private init; }

    /// <summary>How long loading took (<see cref="ModelReadinessPhase.Ready"/> and <see cref="ModelReadinessPhase.Failed"/>).</summary>
    public TimeSpan? LoadTime { get; private init; }

    public ExecutionDevice? RequestedDevice { get; private init; }

    public ExecutionDevice? EffectiveDevice { get; private init; }

    /// <summary>Why the sessions run on another device than asked for (ready only), or null.</summary>
    public ExecutionDeviceFallback? DeviceFallback { get; private init; }

    /// <summary>Why loading failed: the exception's type and message, inner exceptions included.</summary>
    public string? FailureReason { get; private init; }

    internal static ModelReadinessState Loading(DateTimeOffset since) =>
        new(ModelReadinessPhase.Loading) { LoadingSince = since };

    internal static ModelReadinessState Ready(
        ExecutionDevice requested, ExecutionDevice effective, ExecutionDeviceFallback? fallback, TimeSpan took) =>
        new(ModelReadinessPhase.Ready)
        {
            RequestedDevice = requested,
            EffectiveDevice = effective,
            DeviceFallback = fallback,
            LoadTime = took,
        };

    internal static ModelReadinessState Failed(Exception error, TimeSpan took) =>
        new(ModelReadinessPhase.Failed) { FailureReason = Describe(error), LoadTime = took };

    private static string Describe(Exception error)
    {
        var parts = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {e.Message}");
        }

        return string.Join(" ---> ", parts);
    }
}
