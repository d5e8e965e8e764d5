using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>
/// Where one webhook message's delivery stands across its attempts (a <c>webhook_deliveries</c> entry's
/// <c>status</c>); each attempt's own classification is <see cref="Webhooks.WebhookAttemptOutcome"/>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookDeliveryOutcome>))]
public enum WebhookDeliveryOutcome
{
    /// <summary>Not yet answered with 2xx; more attempts are scheduled.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    [JsonStringEnumMemberName("delivered")]
    Delivered,

    /// <summary>
    /// Stopped without a 2xx: retried until the window or the attempts ran out, or answered in a way a retry would not
    /// change (a redirect, another 4xx).
    /// </summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Never sent: the delivery policy refuses the URL or an address its host resolves to.</summary>
    [JsonStringEnumMemberName("refused")]
    Refused,
}
