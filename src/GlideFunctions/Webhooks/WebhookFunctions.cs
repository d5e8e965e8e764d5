using GlideFunctions.Api;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace GlideFunctions.Webhooks;

/// <summary>
/// The Functions registrations of the webhook delivery orchestrator and its activity: thin shells over
/// <see cref="WebhookDeliveryOrchestrator"/> and <see cref="DeliverWebhookActivity"/>, which hold the logic and run
/// unchanged in the in-process Durable test host.
/// </summary>
public sealed class WebhookFunctions(DeliverWebhookActivity deliverWebhook)
{
    [Function(WebhookFunctionNames.DeliveryOrchestrator)]
    public static Task<WebhookDeliveryResource> RunDeliveryOrchestrator(
        [OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new WebhookDeliveryOrchestrator().RunAsync(context, context.GetInput<WebhookDeliveryRequest>()!);
    }

    [Function(WebhookFunctionNames.DeliverWebhook)]
    public Task<WebhookDeliveryAttempt> DeliverWebhook(
        [ActivityTrigger] WebhookAttemptInput input, string instanceId) =>
        deliverWebhook.RunAsync(new ActivityContext(WebhookFunctionNames.DeliverWebhook, instanceId), input);

    // The name and the orchestration's id, as the Durable source generator's shells pass them to class activities.
    private sealed class ActivityContext(TaskName name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;

        public override string InstanceId { get; } = instanceId;
    }
}
