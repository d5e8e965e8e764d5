namespace GlideFunctions.Webhooks;

/// <summary>The three Standard Webhooks header values for one attempt, named after their headers.</summary>
/// <param name="Id"><c>webhook-id</c>: the same for every retry of one message, so receivers can deduplicate.</param>
/// <param name="Timestamp"><c>webhook-timestamp</c>: Unix seconds, as signed.</param>
/// <param name="Signature"><c>webhook-signature</c>: <c>v1,&lt;base64 HMAC-SHA256&gt;</c>.</param>
public sealed record WebhookSignatureHeaders(string Id, string Timestamp, string Signature);
