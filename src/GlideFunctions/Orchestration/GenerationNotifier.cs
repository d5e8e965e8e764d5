using GlideFunctions.Api;
using GlideFunctions.Webhooks;
using Microsoft.DurableTask;

namespace GlideFunctions.Orchestration;

/// <summary>
/// Sends a generation's webhook events: each event the client asked for becomes one
/// <see cref="WebhookDeliveryOrchestrator"/> sub-orchestration whose instance id is the message's <c>webhook-id</c>, so
/// a slow receiver delays nothing and the status endpoint can look each delivery up.
/// </summary>
internal sealed class GenerationNotifier(TaskOrchestrationContext context, GenerationPlan plan)
{
    private readonly List<WebhookDeliveryReference> _deliveries = [];
    private readonly List<Task<WebhookDeliveryResource>> _running = [];

    /// <summary>The deliveries started so far, in the order of their events.</summary>
    public IReadOnlyList<WebhookDeliveryReference> Deliveries => [.. _deliveries];

    /// <summary>Starts the delivery of <paramref name="type"/> carrying <paramref name="resource"/>, if asked for.</summary>
    public void Notify(WebhookEventType type, GenerationResource resource, int? outputIndex = null)
    {
        if (plan.Webhook is not { } webhook || !webhook.Events.Contains(type))
        {
            return;
        }

        var id = WebhookDeliveryRequest.MessageId(plan.RunId, type, outputIndex);
        var payload = WebhookPayload.Create(type, context.CurrentUtcDateTime, resource);
        _running.Add(context.CallSubOrchestratorAsync<WebhookDeliveryResource>(
            WebhookFunctionNames.DeliveryOrchestrator,
            WebhookDeliveryRequest.Create(webhook.Url, id, payload, webhook.Retry),
            new SubOrchestrationOptions { InstanceId = id }));
        _deliveries.Add(new WebhookDeliveryReference(type, id));
    }

    /// <summary>
    /// Waits for every delivery to end (delivered, or given up and recorded by the delivery itself). A delivery that
    /// fails outright is not the generation's failure: its record says what happened.
    /// </summary>
    public async Task WaitAsync()
    {
        foreach (var delivery in _running)
        {
            try
            {
                await delivery.ConfigureAwait(true);
            }
            catch (TaskFailedException)
            {
                // Recorded on the delivery's own instance, which the status endpoint reads.
            }
        }
    }
}
