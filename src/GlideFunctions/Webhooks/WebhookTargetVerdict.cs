namespace GlideFunctions.Webhooks;

/// <summary>The outcome of a <see cref="WebhookTargetPolicy"/> check.</summary>
public enum WebhookTargetVerdict
{
    Allowed,

    /// <summary>Never to be called (scheme, credentials, a non-public address): give up, do not retry.</summary>
    Refused,

    /// <summary>The name did not resolve this time; DNS failures are often transient, so retry.</summary>
    Unresolved,
}
