namespace GlideFunctions.Webhooks;

/// <summary>
/// The registered names of the webhook delivery orchestrator and its activity, shared by the classes, the
/// <c>[Function]</c> shells in <see cref="WebhookFunctions"/> and the callers.
/// </summary>
public static class WebhookFunctionNames
{
    /// <summary>
    /// <see cref="WebhookDeliveryOrchestrator"/>: call it as a sub-orchestration with a
    /// <see cref="WebhookDeliveryRequest"/>; it returns the final <c>Api.WebhookDeliveryResource</c>.
    /// </summary>
    public const string DeliveryOrchestrator = "WebhookDeliveryOrchestrator";

    /// <summary><see cref="DeliverWebhookActivity"/>: one signed attempt.</summary>
    public const string DeliverWebhook = "DeliverWebhook";
}
