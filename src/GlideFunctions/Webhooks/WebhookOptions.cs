using System.ComponentModel.DataAnnotations;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Where webhooks may go, how they are signed and how long delivery keeps trying; bound from the <c>Webhooks</c>
/// section (app settings <c>Webhooks__Secret</c>, <c>Webhooks__AllowPrivateTargets</c>,
/// <c>Webhooks__MaxRetryWindow</c>, …).
/// </summary>
/// <remarks>
/// Webhooks are off until <see cref="Secret"/> is set: without a secret there is nothing receivers could verify a
/// message with, so a create request that asks for a <c>webhook</c> is refused (400) rather than accepted and left
/// unsent; see <see cref="WebhooksEnabled"/>. A secret that is set but malformed fails validation at startup.
/// </remarks>
public sealed class WebhookOptions : IValidatableObject
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// The Standard Webhooks signing secret, <c>whsec_</c> followed by the base64 of a 24 to 64 byte key (see
    /// <see cref="WebhookSecret"/>; <c>WebhookSecret.Generate().Encode()</c> makes one). Receivers verify every
    /// message with it, so hand it to them out of band. Keep it in Key Vault (an app setting that is a Key Vault
    /// reference) rather than in plain configuration; it is never logged and never part of a validation message.
    /// Empty or absent: webhooks are disabled.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>
    /// Whether a signing secret is configured; without one, requests with a <c>webhook</c> are refused.
    /// </summary>
    public bool WebhooksEnabled => !string.IsNullOrWhiteSpace(Secret);

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

    /// <summary>The parsed <see cref="Secret"/>.</summary>
    /// <exception cref="InvalidOperationException">No secret is configured (<see cref="WebhooksEnabled"/>).</exception>
    /// <exception cref="FormatException">The secret is malformed (startup validation reports it first).</exception>
    public WebhookSecret GetSecret() => WebhooksEnabled
        ? WebhookSecret.Parse(Secret)
        : throw new InvalidOperationException(
            $"webhooks are disabled: no signing secret is configured ({SectionName}__{nameof(Secret)})");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The parser's messages say what is wrong with the value without repeating any of it.
        if (WebhooksEnabled && !WebhookSecret.TryParse(Secret, out _, out var secretError))
        {
            yield return new ValidationResult($"{nameof(Secret)}: {secretError}", [nameof(Secret)]);
        }

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
