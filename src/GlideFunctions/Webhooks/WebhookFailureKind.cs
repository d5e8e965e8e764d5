using System.Text.Json.Serialization;

namespace GlideFunctions.Webhooks;

/// <summary>Why an attempt got no HTTP status at all.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookFailureKind>))]
public enum WebhookFailureKind
{
    /// <summary>No response headers within <see cref="WebhookOptions.AttemptTimeout"/>.</summary>
    [JsonStringEnumMemberName("timeout")]
    Timeout,

    /// <summary>The host name did not resolve.</summary>
    [JsonStringEnumMemberName("name_resolution")]
    NameResolution,

    /// <summary>Refused, reset, TLS failure or a malformed response.</summary>
    [JsonStringEnumMemberName("connection")]
    Connection,

    /// <summary>The target policy refused the URL or an address it resolves to; nothing was sent.</summary>
    [JsonStringEnumMemberName("target_refused")]
    TargetRefused,
}
