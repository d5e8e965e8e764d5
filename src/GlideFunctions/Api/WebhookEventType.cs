using System.Text.Json.Serialization;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Api;

/// <summary>
/// The moments a generation notifies its webhook, in the order a generation emits them; the names are those of
/// hosted prediction APIs. On the wire (<c>webhook_events_filter</c>, a payload's <c>type</c>, a delivery's
/// <c>event</c>) they are <c>start</c>, <c>output</c> and <c>completed</c> (<see cref="WebhookEventNames"/>), whatever
/// the serializer options.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookEventType>))]
public enum WebhookEventType
{
    /// <summary>The generation has started running.</summary>
    [JsonStringEnumMemberName(WebhookEventNames.Start)]
    Start,

    /// <summary>An output image is ready; sent once per output.</summary>
    [JsonStringEnumMemberName(WebhookEventNames.Output)]
    Output,

    /// <summary>The generation reached a terminal status: succeeded, failed or canceled.</summary>
    [JsonStringEnumMemberName(WebhookEventNames.Completed)]
    Completed,
}
