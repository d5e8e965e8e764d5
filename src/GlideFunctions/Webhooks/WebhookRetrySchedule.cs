using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Webhooks;

/// <summary>
/// When to make the next delivery attempt: exponential backoff with jitter, never sooner than the receiver's
/// <c>Retry-After</c>, and never later than <see cref="WebhookOptions.MaxRetryWindow"/> after the first attempt.
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

    private readonly WebhookOptions _options;

    public WebhookRetrySchedule(IOptions<WebhookOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
    }

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
        if (attemptNumber >= _options.MaxAttempts)
        {
            return null;
        }

        var delay = Backoff(webhookId, attemptNumber);
        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked > _options.MaxRetryDelay ? _options.MaxRetryDelay : asked;
        }

        var next = now + delay;
        return next > firstAttemptAt + _options.MaxRetryWindow ? null : next;
    }

    /// <summary>
    /// The backoff after attempt <paramref name="attemptNumber"/>: the initial delay doubled per earlier retry, capped
    /// at <see cref="WebhookOptions.MaxRetryDelay"/>, then scaled into its upper half by the jitter ("equal jitter":
    /// never less than half the nominal delay, so backoff still grows).
    /// </summary>
    public TimeSpan Backoff(string webhookId, int attemptNumber)
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookId);
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptNumber, 1);
        var doublings = Math.Min(attemptNumber - 1, MaximumDoublings);
        var nominal = Math.Min(
            _options.InitialRetryDelay.Ticks * (double)(1L << doublings), _options.MaxRetryDelay.Ticks);
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
