using System.ComponentModel.DataAnnotations;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Where webhooks may go and how long delivery keeps trying; bound from the <c>Webhooks</c> section
/// (app settings <c>Webhooks__AllowPrivateTargets</c>, <c>Webhooks__MaxRetryWindow</c>, …).
/// </summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Local development only: lets webhooks reach loopback, private and link-local addresses (a receiver on
    /// localhost). Off in production, where such a target would let any client reach the function's own network
    /// and the cloud metadata endpoint.
    /// </summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Refuse <c>http://</c> targets: the body carries the prompt and output URLs.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>No attempt is scheduled later than this after the first one; then delivery gives up.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan MaxRetryWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one attempt may take, connection to response headers, before it counts as a timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Attempts per message, the first included: a backstop against a receiver that keeps asking for short
    /// Retry-After delays. With the other defaults the window ends delivery first (after 13 to 19 attempts).
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 20;

    /// <summary>The backoff before the second attempt; it doubles for each later one.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between attempts, whether from the backoff or from a receiver's Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InitialRetryDelay > MaxRetryDelay)
        {
            yield return new ValidationResult(
                $"{nameof(InitialRetryDelay)} ({InitialRetryDelay}) must not exceed {nameof(MaxRetryDelay)} "
                + $"({MaxRetryDelay})",
                [nameof(InitialRetryDelay), nameof(MaxRetryDelay)]);
        }

        if (AttemptTimeout >= MaxRetryWindow)
        {
            yield return new ValidationResult(
                $"{nameof(AttemptTimeout)} ({AttemptTimeout}) must be shorter than {nameof(MaxRetryWindow)} "
                + $"({MaxRetryWindow})",
                [nameof(AttemptTimeout), nameof(MaxRetryWindow)]);
        }
    }
}
