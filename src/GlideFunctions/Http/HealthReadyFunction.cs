using System.Globalization;
using GlideFunctions.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace GlideFunctions.Http;

/// <summary>
/// <c>GET /api/v1/health/ready</c>: 200 once this worker's ONNX sessions exist, 503 problem+json before (with
/// <c>Retry-After</c>) or when loading failed (naming why). Anonymous, so container probes need no key; it says
/// nothing about the models beyond the device and the load error.
/// </summary>
/// <remarks>
/// The container's readiness and startup probes call it (infra/modules/functionapp.bicep, infra/Dockerfile), so a
/// replica gets HTTP traffic only once a generation's stages can run on it without first loading the models.
/// </remarks>
public sealed class HealthReadyFunction(ModelReadiness readiness)
{
    public const string FunctionName = "HealthReady";

    /// <summary>Seconds a probe or client should wait before asking again while the models load.</summary>
    public const int RetryAfterSeconds = 5;

    public const string ServiceUnavailableType = "https://tools.ietf.org/html/rfc9110#section-15.6.4";

    public const string ServiceUnavailableTitle = "Service Unavailable";

    [Function(FunctionName)]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/health/ready")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var state = readiness.State;
        switch (state.Phase)
        {
            case ModelReadinessPhase.Ready:
                return new OkObjectResult(new ReadinessStatus(
                    "ready",
                    Name(state.EffectiveDevice),
                    Name(state.RequestedDevice),
                    state.DeviceFallback?.Reason,
                    Math.Round(state.LoadTime?.TotalSeconds ?? 0, 3)));
            case ModelReadinessPhase.Failed:
                return Unavailable(request, $"The models failed to load: {state.FailureReason}", retry: false);
            case ModelReadinessPhase.Loading:
                return Unavailable(
                    request,
                    "The ONNX Runtime sessions are still being created (loading started at " +
                    $"{state.LoadingSince?.ToString("O", CultureInfo.InvariantCulture)}).",
                    retry: true);
            default:
                return Unavailable(
                    request,
                    "Model loading has not started: the worker has not run its model warm-up (AddGlideModelWarmup).",
                    retry: true);
        }
    }

    private static string Name(Glide.Models.ExecutionDevice? device) =>
        device?.ToString().ToLowerInvariant() ?? "unknown";

    private static IActionResult Unavailable(HttpRequest request, string detail, bool retry)
    {
        if (retry)
        {
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return new ProblemDocument
        {
            Type = ServiceUnavailableType,
            Title = ServiceUnavailableTitle,
            Status = StatusCodes.Status503ServiceUnavailable,
            Detail = detail,
            Instance = request.Path.Value,
        }.ToResult();
    }
}
