using GlideFunctions.Api;

namespace GlideFunctions.Webhooks;

/// <summary>
/// The input of <see cref="WebhookDeliveryOrchestrator"/>: one webhook message and how long to keep trying it.
/// </summary>
/// <param name="Url">The receiver's URL, as validated when the generation was created.</param>
/// <param name="WebhookId">
/// The Standard Webhooks <c>webhook-id</c>, the same on every attempt so receivers can drop duplicates; build it with
/// <see cref="MessageId"/>. Visible ASCII, at most <see cref="WebhookSigner.MaximumIdLength"/> characters.
/// </param>
/// <param name="Event">The event the message reports; shown in the delivery record.</param>
/// <param name="Body">
/// The exact JSON body, <see cref="WebhookPayload.ToJson"/>: built once by the caller and sent (and signed)
/// byte for byte the same on every attempt.
/// </param>
/// <param name="Retry">
/// The schedule's numbers, fixed when the delivery starts (<see cref="WebhookRetrySettings"/>).
/// </param>
public sealed record WebhookDeliveryRequest(
    string Url, string WebhookId, WebhookEventType Event, string Body, WebhookRetrySettings Retry)
{
    /// <summary>The message <paramref name="payload"/> makes, its event and body taken from it.</summary>
    public static WebhookDeliveryRequest Create(
        string url, string webhookId, WebhookPayload payload, WebhookRetrySettings retry)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return new WebhookDeliveryRequest(url, webhookId, payload.Type, payload.ToJson(), retry);
    }

    /// <summary>
    /// The <c>webhook-id</c> of one event of one generation: <c>{generationId}.start</c>,
    /// <c>{generationId}.output.{index}</c>, <c>{generationId}.completed</c>.
    /// </summary>
    /// <remarks>
    /// Deterministic, so an orchestration replay names the same message. Generation ids hold only letters, digits,
    /// <c>-</c> and <c>_</c>, so the dot cannot be confused with part of one, and the id is also usable as the
    /// delivery's Durable instance id (no <c>/</c>, <c>\</c>, <c>#</c> or <c>?</c>, which Azure Storage keys refuse):
    /// the deliveries of one generation are then the instances whose id starts with <c>{generationId}.</c>.
    /// </remarks>
    /// <param name="generationId">The generation's id.</param>
    /// <param name="webhookEvent">The event.</param>
    /// <param name="outputIndex">For <see cref="WebhookEventType.Output"/> only: the image's index.</param>
    public static string MessageId(string generationId, WebhookEventType webhookEvent, int? outputIndex = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(generationId);
        if ((webhookEvent == WebhookEventType.Output) != outputIndex.HasValue)
        {
            throw new ArgumentException(
                "an output index is needed for the output event, and only for it", nameof(outputIndex));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(outputIndex ?? 0, nameof(outputIndex));
        var name = $"{generationId}.{webhookEvent.ToWireName()}";
        return outputIndex is { } index
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}.{index}")
            : name;
    }

    /// <summary>The id and event only: the URL may carry the receiver's token, and the body the prompt.</summary>
    public override string ToString() => $"{nameof(WebhookDeliveryRequest)} {{ {WebhookId}, {Event.ToWireName()} }}";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first field that cannot be delivered.</summary>
    /// <remarks>The URL's target rules are the policy's, applied by the activity before every attempt.</remarks>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Url, nameof(Url));
        ArgumentException.ThrowIfNullOrEmpty(WebhookId, nameof(WebhookId));
        if (!WebhookSigner.IsValidId(WebhookId))
        {
            throw new ArgumentException(
                $"a webhook id must be 1 to {WebhookSigner.MaximumIdLength} visible ASCII characters",
                nameof(WebhookId));
        }

        _ = Event.ToWireName();
        ArgumentNullException.ThrowIfNull(Body, nameof(Body));
        ArgumentNullException.ThrowIfNull(Retry, nameof(Retry));
        Retry.Validate();
    }
}
