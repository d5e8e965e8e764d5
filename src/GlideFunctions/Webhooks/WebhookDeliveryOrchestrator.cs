using System.Globalization;
using GlideFunctions.Api;
using Microsoft.DurableTask;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Delivers one webhook message (design §4): an attempt through <see cref="DeliverWebhookActivity"/>, then, while the
/// receiver asks for another (timeout, connection failure, 408, 429, 5xx), a durable timer to the time
/// <see cref="WebhookRetrySchedule"/> names (backoff with jitter, never before the receiver's <c>Retry-After</c>,
/// never past the retry window) and the next attempt, with the same <c>webhook-id</c> and body and a fresh signature.
/// Returns the delivery record the generation object shows in <c>webhook_deliveries</c>.
/// </summary>
/// <remarks>
/// <para>
/// Run it as a sub-orchestration, one per message, with the message id as instance id
/// (<see cref="WebhookDeliveryRequest.MessageId"/>): a slow receiver then delays nothing else, and a timer waiting an
/// hour costs nothing while it waits.
/// </para>
/// <para>
/// After every attempt the record so far is the instance's custom status (status <c>pending</c> while attempts remain,
/// with <c>next_attempt_at</c>), so an API can show deliveries in flight.
/// </para>
/// <para>
/// Deterministic: no clock but <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/>, no GUID, random or I/O, and
/// the schedule's numbers come from the input, not the configuration. The activity gets no Durable retry policy:
/// the schedule alone decides when to try again.
/// </para>
/// </remarks>
[DurableTask(WebhookFunctionNames.DeliveryOrchestrator)]
public sealed class WebhookDeliveryOrchestrator : TaskOrchestrator<WebhookDeliveryRequest, WebhookDeliveryResource>
{
    public override async Task<WebhookDeliveryResource> RunAsync(
        TaskOrchestrationContext context, WebhookDeliveryRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        input.Validate();
        var schedule = new WebhookRetrySchedule(input.Retry);
        var firstAttemptAt = Now(context);
        var delivery = new WebhookDeliveryResource
        {
            Event = input.Event,
            WebhookId = input.WebhookId,
            Status = WebhookDeliveryOutcome.Pending,
        };
        context.SetCustomStatus(delivery);

        for (var number = 1; ; number++)
        {
            var attempt = await AttemptAsync(context, new WebhookAttemptInput(input, Now(context)));
            var next = attempt.Outcome == WebhookAttemptOutcome.Retry
                ? schedule.Next(input.WebhookId, number, firstAttemptAt, Now(context), attempt.RetryAfter)
                : null;
            delivery = delivery with
            {
                Attempts = number,
                LastStatusCode = attempt.StatusCode,
                LastAttemptAt = attempt.AttemptedAt,
                NextAttemptAt = next,
            };
            delivery = attempt.Outcome switch
            {
                WebhookAttemptOutcome.Delivered => delivery with
                {
                    Status = WebhookDeliveryOutcome.Delivered,
                    LastError = null,
                },
                WebhookAttemptOutcome.Retry when next is not null => delivery with
                {
                    Status = WebhookDeliveryOutcome.Pending,
                    LastError = attempt.Reason,
                },
                WebhookAttemptOutcome.Retry => delivery with
                {
                    Status = WebhookDeliveryOutcome.Failed,
                    LastError = GaveUp(input.Retry, number, attempt.Reason),
                },
                _ => delivery with
                {
                    Status = attempt.Failure == WebhookFailureKind.TargetRefused
                        ? WebhookDeliveryOutcome.Refused
                        : WebhookDeliveryOutcome.Failed,
                    LastError = attempt.Reason,
                },
            };
            context.SetCustomStatus(delivery);
            if (next is not { } due)
            {
                return delivery;
            }

            await context.CreateTimer(due.UtcDateTime, CancellationToken.None);
        }
    }

    private static async Task<WebhookDeliveryAttempt> AttemptAsync(
        TaskOrchestrationContext context, WebhookAttemptInput input)
    {
        try
        {
            return await context.CallActivityAsync<WebhookDeliveryAttempt>(WebhookFunctionNames.DeliverWebhook, input);
        }
        catch (TaskFailedException failure)
        {
            // The activity returns every delivery failure as an attempt; an exception is a fault in this code or its
            // configuration, which another attempt would meet again. The type only: a message could quote the URL.
            return new WebhookDeliveryAttempt
            {
                AttemptedAt = input.Timestamp,
                Failure = WebhookFailureKind.InternalError,
                Outcome = WebhookAttemptOutcome.GiveUp,
                Reason = $"the delivery attempt failed unexpectedly ({failure.FailureDetails.ErrorType}); "
                    + "nothing more will be tried",
            };
        }
    }

    private static string GaveUp(WebhookRetrySettings retry, int attempts, string? lastReason)
    {
        var made = attempts == 1 ? "1 attempt" : $"{attempts} attempts";
        var why = attempts >= retry.MaxAttempts
            ? $"gave up after {made}, the most allowed"
            : $"gave up after {made}: the next would fall outside the retry window of "
              + $"{Describe(retry.MaxRetryWindow)} from the first";
        return lastReason is null ? why : $"{why}; the last: {lastReason}";
    }

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } when span.Ticks % TimeSpan.TicksPerHour == 0 =>
            string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0} h"),
        { TotalMinutes: >= 1 } when span.Ticks % TimeSpan.TicksPerMinute == 0 =>
            string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} s"),
    };

    private static DateTimeOffset Now(TaskOrchestrationContext context) =>
        new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));
}
