namespace GlideFunctions.Webhooks;

/// <summary>
/// The numbers <see cref="WebhookRetrySchedule"/> decides from, as plain data: the delivery orchestration gets them
/// in its input (<see cref="WebhookDeliveryRequest.Retry"/>) instead of reading configuration, so a replay after a
/// configuration change still makes the decisions the first run made.
/// </summary>
/// <param name="InitialRetryDelay">The backoff before the second attempt; it doubles for each later one.</param>
/// <param name="MaxRetryDelay">The longest wait between attempts, from the backoff or a receiver's Retry-After.</param>
/// <param name="MaxRetryWindow">No attempt is scheduled later than this after the first one.</param>
/// <param name="MaxAttempts">Attempts per message, the first included.</param>
/// <remarks>
/// <see cref="WebhookOptions"/> bounds these for production (delays of at least a second); this record only asks
/// for positive values, so tests can run the real schedule in milliseconds.
/// </remarks>
public sealed record WebhookRetrySettings(
    TimeSpan InitialRetryDelay, TimeSpan MaxRetryDelay, TimeSpan MaxRetryWindow, int MaxAttempts)
{
    /// <summary>The settings <paramref name="options"/> configure.</summary>
    public static WebhookRetrySettings FromOptions(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new WebhookRetrySettings(
            options.InitialRetryDelay, options.MaxRetryDelay, options.MaxRetryWindow, options.MaxAttempts);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value that cannot work.</summary>
    public void Validate()
    {
        if (InitialRetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"the initial retry delay must be positive, got {InitialRetryDelay}", nameof(InitialRetryDelay));
        }

        if (MaxRetryDelay < InitialRetryDelay)
        {
            throw new ArgumentException(
                $"the longest retry delay ({MaxRetryDelay}) must not be below the initial one ({InitialRetryDelay})",
                nameof(MaxRetryDelay));
        }

        if (MaxRetryWindow <= TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"the retry window must be positive, got {MaxRetryWindow}", nameof(MaxRetryWindow));
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"at least one attempt is needed, got {MaxAttempts}", nameof(MaxAttempts));
        }
    }
}
