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

    /// <summary>
    /// Webhooks are disabled here (no <see cref="WebhookOptions.Secret"/>): nothing was signed or sent. Requests with
    /// a webhook are refused in that state, so this only shows for deliveries started before the secret was removed.
    /// </summary>
    [JsonStringEnumMemberName("not_configured")]
    NotConfigured,

    /// <summary>
    /// The attempt itself failed in this service (a fault, not the receiver's doing); nothing more is tried.
    /// </summary>
    [JsonStringEnumMemberName("internal_error")]
    InternalError,
}
