using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>
/// The generation object that create, get and cancel answer with, shaped like the prediction objects of hosted
/// prediction APIs (design.md §4): snake_case names, status words, ISO 8601 UTC times, null for what is not known
/// yet. Every name and format is fixed by attributes, so the JSON is the same under any serializer options.
/// </summary>
public sealed record GenerationResource
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("status")]
    public required GenerationStatus Status { get; init; }

    /// <summary>The validated request with defaults filled, seed included.</summary>
    [JsonPropertyName("input")]
    public required GenerationInput Input { get; init; }

    /// <summary>Images stored so far, in output order; empty (never null) until the first is ready.</summary>
    [JsonPropertyName("output")]
    public IReadOnlyList<GenerationOutput> Output { get; init; } = [];

    /// <summary>Set when <see cref="Status"/> is <see cref="GenerationStatus.Failed"/>.</summary>
    [JsonPropertyName("error")]
    public GenerationError? Error { get; init; }

    [JsonPropertyName("created_at")]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("started_at")]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Set with a terminal status.</summary>
    [JsonPropertyName("completed_at")]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public DateTimeOffset? CompletedAt { get; init; }

    [JsonPropertyName("metrics")]
    public GenerationMetrics? Metrics { get; init; }

    /// <summary>The running stage's step count; null when nothing is running.</summary>
    [JsonPropertyName("progress")]
    public GenerationProgress? Progress { get; init; }

    /// <summary>
    /// One entry per webhook event sent or being sent; left out of the JSON when there is no webhook.
    /// </summary>
    [JsonPropertyName("webhook_deliveries")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WebhookDeliveryResource>? WebhookDeliveries { get; init; }
}
