using Glide.Models;

namespace GlideFunctions.Http;

/// <summary>
/// Whether this worker's ONNX sessions exist yet: <see cref="ModelWarmup"/> starts creating them when the worker
/// starts and reports here; <c>GET /api/v1/health/ready</c> (<see cref="HealthReadyFunction"/>) answers from it. A DI
/// singleton, read and written from any thread.
/// </summary>
public sealed class ModelReadiness
{
    private readonly TaskCompletionSource<ModelReadinessState> _settled =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile ModelReadinessState _state = ModelReadinessState.NotStarted;

    /// <summary>The latest state: not started, loading, ready or failed.</summary>
    public ModelReadinessState State => _state;

    /// <summary>Completes with the ready or failed state, once loading has ended either way.</summary>
    public Task<ModelReadinessState> Settled => _settled.Task;

    internal void MarkLoading(DateTimeOffset since) => _state = ModelReadinessState.Loading(since);

    internal void MarkReady(GlideModelSet models, TimeSpan took)
    {
        ArgumentNullException.ThrowIfNull(models);
        Settle(ModelReadinessState.Ready(models.RequestedDevice, models.EffectiveDevice, models.DeviceFallback, took));
    }

    internal void MarkFailed(Exception error, TimeSpan took)
    {
        ArgumentNullException.ThrowIfNull(error);
        Settle(ModelReadinessState.Failed(error, took));
    }

    private void Settle(ModelReadinessState state)
    {
        _state = state;
        _settled.TrySetResult(state);
    }
}
