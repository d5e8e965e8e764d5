namespace GlideFunctions.Webhooks;

/// <summary>
/// The moments a generation notifies its webhook; on the wire (<c>webhook_events_filter</c>, the payload's
/// <c>type</c>) they are the lower-case names <c>start</c>, <c>output</c>, <c>completed</c>.
/// </summary>
public enum WebhookEvent
{
    /// <summary>The generation has started running.</summary>
    Start,

    /// <summary>An output image is ready; sent once per output.</summary>
    Output,

    /// <summary>The generation reached a final status: succeeded, failed or canceled.</summary>
    Completed,
}
