using System.Diagnostics.CodeAnalysis;
using GlideFunctions.Api;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Which events a generation's webhook receives, from the request's <c>webhook_events_filter</c>; absent means all.
/// </summary>
/// <remarks>A record over a bit mask: two filters naming the same events are equal, whatever the order given.</remarks>
public sealed record WebhookEventFilter
{
    private readonly int _mask;

    private WebhookEventFilter(int mask) => _mask = mask;

    /// <summary>The default when the request names no filter.</summary>
    public static WebhookEventFilter All { get; } =
        new(WebhookEventNames.All.Aggregate(0, (mask, e) => mask | Bit(e)));

    /// <summary>The events let through, in the order a generation raises them.</summary>
    public IReadOnlyList<WebhookEventType> Events => [.. WebhookEventNames.All.Where(Includes)];

    public bool Includes(WebhookEventType webhookEvent) => (_mask & Bit(webhookEvent)) != 0;

    /// <summary>The filter as the request would write it, e.g. to echo it in the generation's <c>input</c>.</summary>
    public IReadOnlyList<string> ToWireNames() => [.. Events.Select(e => e.ToWireName())];

    /// <summary>Parses the request field; throws <see cref="FormatException"/> naming the bad value.</summary>
    public static WebhookEventFilter Parse(IEnumerable<string?>? names) =>
        TryParse(names, out var filter, out var error) ? filter : throw new FormatException(error);

    /// <summary>
    /// Parses the request field. <see langword="null"/> means all events; an empty list is refused rather than read
    /// as "none", since a client that wants no webhook calls can leave out <c>webhook</c>. Repeats are harmless.
    /// </summary>
    public static bool TryParse(
        IEnumerable<string?>? names,
        [NotNullWhen(true)] out WebhookEventFilter? filter,
        [NotNullWhen(false)] out string? error)
    {
        filter = null;
        if (names is null)
        {
            filter = All;
            error = null;
            return true;
        }

        var mask = 0;
        foreach (var name in names)
        {
            if (!WebhookEventNames.TryParse(name, out var webhookEvent))
            {
                error = $"unknown webhook event {(name is null ? "null" : $"'{name}'")}; expected any of "
                    + string.Join(", ", WebhookEventNames.All.Select(e => e.ToWireName()));
                return false;
            }

            mask |= Bit(webhookEvent.Value);
        }

        if (mask == 0)
        {
            error = "the webhook events filter is empty; leave it out to receive every event";
            return false;
        }

        filter = new WebhookEventFilter(mask);
        error = null;
        return true;
    }

    public override string ToString() => string.Join(",", ToWireNames());

    private static int Bit(WebhookEventType webhookEvent) => 1 << (int)webhookEvent;
}
