using GlideFunctions.Activities;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GlideFunctions.Http;

/// <summary>
/// Creates the process's ONNX sessions (<see cref="GlideModelProvider.Models"/>) as soon as the worker starts, in
/// the background, and reports progress to <see cref="ModelReadiness"/>. Without it the sessions would be created by
/// the first activity, so the first generation on a fresh replica would pay for the load inside its stage time, and
/// a broken model directory would only show when a generation failed.
/// </summary>
/// <remarks>
/// <see cref="StartAsync"/> does not wait for the load: the Functions host must be able to start the worker (and
/// answer the readiness probe with 503) while full-size graphs load, which takes seconds to a minute. A failed load is
/// logged and reported as 503 by the readiness probe; <see cref="GlideModelProvider"/> keeps the exception, so every
/// activity on this worker fails the same way until the replica is replaced.
/// </remarks>
public sealed partial class ModelWarmup(
    GlideModelProvider provider, ModelReadiness readiness, TimeProvider time, ILogger<ModelWarmup> logger)
    : IHostedService
{
    private Task? _load;

    /// <summary>The background load (null before <see cref="StartAsync"/>); it never throws.</summary>
    public Task? Load => _load;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.MarkLoading(time.GetUtcNow());
        LogLoading(logger);
        _load = Task.Run(LoadModels, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void LoadModels()
    {
        var start = time.GetTimestamp();
        try
        {
            var models = provider.Models;
            var took = time.GetElapsedTime(start);
            readiness.MarkReady(models, took);
            LogReady(logger, models.EffectiveDevice.ToString(), took.TotalSeconds);
            if (models.DeviceFallback is { } fallback)
            {
                LogFallback(logger, fallback.ToString());
            }
        }
        catch (Exception e)
        {
            // Reported by the readiness probe and logged; the worker keeps serving HTTP so the probe can say why.
            var took = time.GetElapsedTime(start);
            readiness.MarkFailed(e, took);
            LogFailed(logger, e, took.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Creating the ONNX Runtime sessions of the model directory")]
    private static partial void LogLoading(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX Runtime sessions ready on {Device} after {Seconds:F1} s")]
    private static partial void LogReady(ILogger logger, string device, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The models run on another device than configured (Glide__Device): {Fallback}")]
    private static partial void LogFallback(ILogger logger, string fallback);

    [LoggerMessage(Level = LogLevel.Error, Message = "Loading the models failed after {Seconds:F1} s; the readiness probe answers 503 and every stage on this worker will fail")]
    private static partial void LogFailed(ILogger logger, Exception error, double seconds);
}
