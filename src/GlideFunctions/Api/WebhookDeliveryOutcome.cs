using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>Where one webhook event's delivery stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookDeliveryOutcome>))]
public enum WebhookDeliveryOutcome
{
    /// <summary>Not yet answered with 2xx; more attempts are scheduled.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    [JsonStringEnumMemberName("delivered")]
    Delivered,

    /// <summary>Retried until the configured window closed without a 2xx.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Never sent: the target resolved to an address the delivery policy refuses.</summary>
    [JsonStringEnumMemberName("refused")]
    Refused,
}
