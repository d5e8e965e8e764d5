namespace GlideFunctions.Webhooks;

/// <summary>
/// One attempt to deliver one webhook message: what the orchestration records (and shows in the generation object)
/// and what it decides the next step from. Exactly one of <see cref="StatusCode"/> and <see cref="Failure"/> is set.
/// </summary>
/// <remarks>Plain data with public setters so Durable Functions can return it from an activity as JSON.</remarks>
public sealed record WebhookDeliveryAttempt
{
    /// <summary>When the attempt started.</summary>
    public DateTimeOffset AttemptedAt { get; init; }

    /// <summary>From start to response headers, or to the failure.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The receiver's HTTP status, when it answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Why there is no status, when it did not answer.</summary>
    public WebhookFailureKind? Failure { get; init; }

    public required WebhookAttemptOutcome Outcome { get; init; }

    /// <summary>
    /// For <see cref="WebhookAttemptOutcome.Retry"/>: the receiver's <c>Retry-After</c>, capped by
    /// <see cref="WebhookOptions.MaxRetryDelay"/>; <see langword="null"/> when it gave none (the backoff decides).
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Why it was retried or given up, for people. Never the URL, which may carry tokens.</summary>
    public string? Reason { get; init; }
}
