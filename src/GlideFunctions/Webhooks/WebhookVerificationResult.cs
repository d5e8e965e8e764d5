namespace GlideFunctions.Webhooks;

/// <summary>Why <see cref="WebhookSigner.Verify"/> accepted or refused a message.</summary>
public enum WebhookVerificationResult
{
    Valid,

    /// <summary><c>webhook-id</c>, <c>webhook-timestamp</c> or <c>webhook-signature</c> is missing or empty.</summary>
    MissingHeader,

    /// <summary><c>webhook-timestamp</c> is not a whole number of Unix seconds.</summary>
    InvalidTimestamp,

    /// <summary>The timestamp is further from now than the tolerance: a replay, or a badly skewed clock.</summary>
    TimestampOutsideTolerance,

    /// <summary>No <c>v1</c> signature in the header matches the body under this secret.</summary>
    NoMatchingSignature,
}
