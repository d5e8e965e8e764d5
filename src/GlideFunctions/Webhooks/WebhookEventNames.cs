using System.Diagnostics.CodeAnalysis;
using GlideFunctions.Api;

namespace GlideFunctions.Webhooks;

/// <summary>The wire names of <see cref="WebhookEventType"/>: exact, lower-case, as clients write them.</summary>
public static class WebhookEventNames
{
    public const string Start = "start";
    public const string Output = "output";
    public const string Completed = "completed";

    /// <summary>Every event, in the order a generation raises them.</summary>
    public static IReadOnlyList<WebhookEventType> All { get; } =
        [WebhookEventType.Start, WebhookEventType.Output, WebhookEventType.Completed];

    public static string ToWireName(this WebhookEventType webhookEvent) => webhookEvent switch
    {
        WebhookEventType.Start => Start,
        WebhookEventType.Output => Output,
        WebhookEventType.Completed => Completed,
        _ => throw new ArgumentOutOfRangeException(nameof(webhookEvent), webhookEvent, "not a webhook event"),
    };

    /// <summary>
    /// Ordinal match: a client that writes <c>Start</c> gets an error naming the value rather than a guess, so the
    /// contract stays the one documented.
    /// </summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out WebhookEventType? webhookEvent)
    {
        webhookEvent = name switch
        {
            Start => WebhookEventType.Start,
            Output => WebhookEventType.Output,
            Completed => WebhookEventType.Completed,
            _ => null,
        };
        return webhookEvent is not null;
    }
}
