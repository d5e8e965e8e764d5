using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Webhooks;

/// <summary>
/// When to make the next delivery attempt: exponential backoff with jitter, never sooner than the receiver's
/// <c>Retry-After</c>, and never later than <see cref="WebhookRetrySettings.MaxRetryWindow"/> after the first attempt.
/// </summary>
/// <remarks>
/// The durable orchestration replays this code, so the answer must be a pure function of its arguments: the jitter
/// comes from a SHA-256 of the webhook id and attempt number, not from a random generator (or
/// <see cref="string.GetHashCode()"/>, which differs between processes). Different messages still spread out, which
/// is what jitter is for: a receiver that comes back after an outage is not hit by every message at the same instant.
/// </remarks>
public sealed class WebhookRetrySchedule
{
    // 2^30 × the initial delay is beyond any cap the options allow; stop doubling there so nothing overflows.
    private const int MaximumDoublings = 30;

    /// <summary>The schedule the configuration sets.</summary>
    public WebhookRetrySchedule(IOptions<WebhookOptions> options)
        : this(WebhookRetrySettings.FromOptions((options ?? throw new ArgumentNullException(nameof(options))).Value))
    {
    }

    /// <summary>The schedule of one delivery, from the settings in its input.</summary>
    public WebhookRetrySchedule(WebhookRetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
    }

    /// <summary>The numbers this schedule decides from.</summary>
    public WebhookRetrySettings Settings { get; }

    /// <summary>
    /// The time of the attempt after attempt <paramref name="attemptNumber"/> (1 = the first) failed with a retryable
    /// outcome, or <see langword="null"/> to give up: the attempts are used up, or the next would fall outside the
    /// retry window.
    /// </summary>
    /// <param name="webhookId">The message id, which fixes the jitter.</param>
    /// <param name="attemptNumber">The attempt that just failed, counting from 1.</param>
    /// <param name="firstAttemptAt">When the first attempt started: the retry window counts from it.</param>
    /// <param name="now">The orchestration's current time, when the failed attempt's result arrived.</param>
    /// <param name="retryAfter">The receiver's <c>Retry-After</c> from that attempt, if any.</param>
    public DateTimeOffset? Next(
        string webhookId, int attemptNumber, DateTimeOffset firstAttemptAt, DateTimeOffset now, TimeSpan? retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptNumber, 1);
        if (attemptNumber >= Settings.MaxAttempts)
        {
            return null;
        }

        var delay = Backoff(webhookId, attemptNumber);
        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked > Settings.MaxRetryDelay ? Settings.MaxRetryDelay : asked;
        }

        var next = now + delay;
        return next > firstAttemptAt + Settings.MaxRetryWindow ? null : next;
    }

    /// <summary>
    /// The backoff after attempt <paramref name="attemptNumber"/>: the initial delay doubled per earlier retry, capped
    /// at <see cref="WebhookRetrySettings.MaxRetryDelay"/>, then scaled into its upper half by the jitter ("equal
    /// jitter": never less than half the nominal delay, so backoff still grows).
    /// </summary>
    public TimeSpan Backoff(string webhookId, int attemptNumber)
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookId);
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptNumber, 1);
        var doublings = Math.Min(attemptNumber - 1, MaximumDoublings);
        var nominal = Math.Min(
            Settings.InitialRetryDelay.Ticks * (double)(1L << doublings), Settings.MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((long)(nominal * (0.5 + (0.5 * Jitter(webhookId, attemptNumber)))));
    }

    /// <summary>A number in [0, 1) fixed by the webhook id and attempt number.</summary>
    private static double Jitter(string webhookId, int attemptNumber)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{webhookId}\n{attemptNumber}"), hash);

        // The top 53 bits: exactly representable in a double, so the result is the same on every platform.
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }
}
