using GlideFunctions.Api;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Orchestration;

/// <summary>
/// Where a generation's webhook events go, which of them the client asked for, and the retry schedule fixed when the
/// generation was created.
/// </summary>
public sealed record GenerationWebhook(string Url, IReadOnlyList<WebhookEventType> Events, WebhookRetrySettings Retry);
