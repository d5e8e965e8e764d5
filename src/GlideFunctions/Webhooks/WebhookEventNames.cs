using System.Diagnostics.CodeAnalysis;

namespace GlideFunctions.Webhooks;

/// <summary>The wire names of <see cref="WebhookEvent"/>: exact, lower-case, as clients write them.</summary>
public static class WebhookEventNames
{
    public const string Start = "start";
    public const string Output = "output";
    public const string Completed = "completed";

    /// <summary>Every event, in the order a generation raises them.</summary>
    public static IReadOnlyList<WebhookEvent> All { get; } =
        [WebhookEvent.Start, WebhookEvent.Output, WebhookEvent.Completed];

    public static string ToWireName(this WebhookEvent webhookEvent) => webhookEvent switch
    {
        WebhookEvent.Start => Start,
        WebhookEvent.Output => Output,
        WebhookEvent.Completed => Completed,
        _ => throw new ArgumentOutOfRangeException(nameof(webhookEvent), webhookEvent, "not a webhook event"),
    };

    /// <summary>
    /// Ordinal match: a client that writes <c>Start</c> gets an error naming the value rather than a guess, so the
    /// contract stays the one documented.
    /// </summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out WebhookEvent? webhookEvent)
    {
        webhookEvent = name switch
        {
            Start => WebhookEvent.Start,
            Output => WebhookEvent.Output,
            Completed => WebhookEvent.Completed,
            _ => null,
        };
        return webhookEvent is not null;
    }
}
