using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>
/// One webhook message's delivery as the generation object shows it (an entry of <c>webhook_deliveries</c>): the
/// result of <c>Webhooks.WebhookDeliveryOrchestrator</c>, and its custom status while it runs.
/// </summary>
public sealed record WebhookDeliveryResource
{
    [JsonPropertyName("event")]
    public required WebhookEventType Event { get; init; }

    /// <summary>The Standard Webhooks <c>webhook-id</c>, the same on every attempt.</summary>
    [JsonPropertyName("webhook_id")]
    public required string WebhookId { get; init; }

    [JsonPropertyName("status")]
    public required WebhookDeliveryOutcome Status { get; init; }

    [JsonPropertyName("attempts")]
    public int Attempts { get; init; }

    /// <summary>HTTP status of the last answer; null when no attempt got one (timeout, refused, not sent).</summary>
    [JsonPropertyName("last_status_code")]
    public int? LastStatusCode { get; init; }

    [JsonPropertyName("last_attempt_at")]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>Why the last attempt did not succeed, if it did not.</summary>
    [JsonPropertyName("last_error")]
    public string? LastError { get; init; }

    /// <summary>
    /// While <see cref="Status"/> is <see cref="WebhookDeliveryOutcome.Pending"/> between attempts: when the next one
    /// is due. Left out of the JSON otherwise.
    /// </summary>
    [JsonPropertyName("next_attempt_at")]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? NextAttemptAt { get; init; }
}
