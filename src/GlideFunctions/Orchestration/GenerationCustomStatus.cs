using GlideFunctions.Api;

namespace GlideFunctions.Orchestration;

/// <summary>
/// The orchestration's <c>customStatus</c>: what the status endpoint shows while and after a generation runs. Times
/// come from the orchestration's own clock (<c>CurrentUtcDateTime</c>), so a replay writes the same values.
/// </summary>
/// <remarks>
/// <see cref="Status"/> turns terminal as soon as the images are stored (or the run failed or was cancelled), while
/// the orchestration may still be waiting for its webhook deliveries: clients see the outcome without waiting on a
/// slow receiver.
/// </remarks>
public sealed record GenerationCustomStatus
{
    public GenerationStatus Status { get; init; } = GenerationStatus.Processing;

    /// <summary>The running stage (<c>Glide.Pipeline.StageNames</c>), or the last one once terminal.</summary>
    public string? Stage { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Output images stored so far, in output order.</summary>
    public IReadOnlyList<GenerationImage> Images { get; init; } = [];

    /// <summary>Compute seconds per finished stage, summed over its activities.</summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();

    public GenerationError? Error { get; init; }

    /// <summary>The webhook deliveries started so far: their sub-orchestration ids.</summary>
    public IReadOnlyList<WebhookDeliveryReference> Webhooks { get; init; } = [];
}

/// <summary>
/// One webhook message of a generation; its <c>webhook-id</c> is also the instance id of the sub-orchestration that
/// delivers it.
/// </summary>
public sealed record WebhookDeliveryReference(WebhookEventType Event, string WebhookId);
