namespace GlideFunctions.Webhooks;

/// <summary>
/// The input of <see cref="DeliverWebhookActivity"/>: the message and the signing time of this attempt.
/// </summary>
/// <param name="Request">The message, the same on every attempt.</param>
/// <param name="Timestamp">
/// The <c>webhook-timestamp</c> to sign: the orchestration's current time when it scheduled the attempt, so a replay
/// asks for the same attempt, and a retry an hour later is not refused by receivers as stale.
/// </param>
public sealed record WebhookAttemptInput(WebhookDeliveryRequest Request, DateTimeOffset Timestamp)
{
    /// <summary>Leaves the URL and body out, as <see cref="WebhookDeliveryRequest.ToString"/> does.</summary>
    public override string ToString() => $"{nameof(WebhookAttemptInput)} {{ {Request}, {Timestamp:O} }}";
}
