using System.Text.Json.Serialization;

namespace GlideFunctions.Webhooks;

/// <summary>What one delivery attempt means for the next: stop happy, try again, or stop for good.</summary>
/// <remarks>
/// Per attempt, for the retry loop; the delivery's state across all its attempts, as the generation object shows it,
/// is <see cref="Api.WebhookDeliveryOutcome"/>.
/// </remarks>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookAttemptOutcome>))]
public enum WebhookAttemptOutcome
{
    /// <summary>The receiver answered 2xx.</summary>
    [JsonStringEnumMemberName("delivered")]
    Delivered,

    /// <summary>A timeout, a connection failure, 408, 429 or 5xx: worth another attempt.</summary>
    [JsonStringEnumMemberName("retry")]
    Retry,

    /// <summary>Another attempt would get the same answer (3xx, other 4xx, a refused target).</summary>
    [JsonStringEnumMemberName("give_up")]
    GiveUp,
}
