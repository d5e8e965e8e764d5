namespace GlideFunctions.Webhooks;

/// <summary>
/// The result of checking a webhook target, with the reason a caller records (in a 400 answer or a delivery attempt)
/// when it is not allowed. A value, not an exception: a refused target is an expected answer, not a fault.
/// </summary>
public sealed record WebhookTargetCheck
{
    private WebhookTargetCheck(WebhookTargetVerdict verdict, Uri? target, string? reason)
    {
        Verdict = verdict;
        Target = target;
        Reason = reason;
    }

    public WebhookTargetVerdict Verdict { get; }

    /// <summary>The parsed target when allowed.</summary>
    public Uri? Target { get; }

    /// <summary>Why the target is refused or unresolved; <see langword="null"/> when allowed.</summary>
    public string? Reason { get; }

    public bool IsAllowed => Verdict == WebhookTargetVerdict.Allowed;

    public static WebhookTargetCheck Allow(Uri target) =>
        new(WebhookTargetVerdict.Allowed, target ?? throw new ArgumentNullException(nameof(target)), null);

    public static WebhookTargetCheck Refuse(string reason) =>
        new(WebhookTargetVerdict.Refused, null, reason);

    public static WebhookTargetCheck Unresolved(string reason) =>
        new(WebhookTargetVerdict.Unresolved, null, reason);
}
