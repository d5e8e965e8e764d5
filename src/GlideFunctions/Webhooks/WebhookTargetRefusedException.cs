namespace GlideFunctions.Webhooks;

/// <summary>
/// Thrown by the connect hook when a target resolves to an address the policy refuses; the only way to stop a
/// connection from inside <see cref="System.Net.Http.SocketsHttpHandler.ConnectCallback"/>.
/// <see cref="WebhookSender"/> turns it back into a give-up attempt.
/// </summary>
internal sealed class WebhookTargetRefusedException : IOException
{
    public WebhookTargetRefusedException(string reason)
        : base(reason)
    {
    }
}
