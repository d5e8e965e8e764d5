using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>
/// The webhook events a request can filter on (<c>webhook_events_filter</c>), in the order a generation emits them;
/// the names are those of hosted prediction APIs.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookEventType>))]
public enum WebhookEventType
{
    /// <summary>The generation has started running.</summary>
    [JsonStringEnumMemberName("start")]
    Start,

    /// <summary>An output image is ready.</summary>
    [JsonStringEnumMemberName("output")]
    Output,

    /// <summary>The generation reached a terminal status.</summary>
    [JsonStringEnumMemberName("completed")]
    Completed,
}
