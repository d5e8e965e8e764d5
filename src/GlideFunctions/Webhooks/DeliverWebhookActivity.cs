using System.Text;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Webhooks;

/// <summary>
/// One delivery attempt of one webhook message: signs the request's body with the configured secret at the given
/// timestamp and sends it once through <see cref="WebhookSender"/>, which judges the target and classifies the answer.
/// </summary>
/// <remarks>
/// Every outcome, a refused target or a timeout included, comes back as a <see cref="WebhookDeliveryAttempt"/> for
/// the orchestration to record and decide on; the activity throws only on a malformed input, so give it no Durable
/// retry policy: <see cref="WebhookRetrySchedule"/> decides when to try again. Logs nothing itself (the sender logs
/// the host, never the URL) and never shows the secret.
/// </remarks>
[DurableTask(WebhookFunctionNames.DeliverWebhook)]
public sealed class DeliverWebhookActivity(WebhookSender sender, IOptions<WebhookOptions> options)
    : TaskActivity<WebhookAttemptInput, WebhookDeliveryAttempt>
{
    public override Task<WebhookDeliveryAttempt> RunAsync(TaskActivityContext context, WebhookAttemptInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(input.Request);
        return DeliverAsync(input.Request, input.Timestamp, CancellationToken.None);
    }

    /// <summary>The attempt, for callers outside Durable Functions.</summary>
    public async Task<WebhookDeliveryAttempt> DeliverAsync(
        WebhookDeliveryRequest request, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        if (!settings.WebhooksEnabled)
        {
            return Unsent(
                timestamp,
                WebhookFailureKind.NotConfigured,
                $"webhooks are disabled: no signing secret is configured ({WebhookOptions.SectionName}__"
                + $"{nameof(WebhookOptions.Secret)}); nothing was sent");
        }

        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var target))
        {
            return Unsent(
                timestamp, WebhookFailureKind.TargetRefused, "webhook must be an absolute URL; nothing was sent");
        }

        return await sender
            .SendAsync(
                target,
                request.WebhookId,
                timestamp,
                Encoding.UTF8.GetBytes(request.Body),
                settings.GetSecret(),
                cancellationToken)
            .ConfigureAwait(false);
    }

    private static WebhookDeliveryAttempt Unsent(DateTimeOffset at, WebhookFailureKind failure, string reason) => new()
    {
        AttemptedAt = at,
        Failure = failure,
        Outcome = WebhookAttemptOutcome.GiveUp,
        Reason = reason,
    };
}
