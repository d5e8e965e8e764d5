using System.ComponentModel.DataAnnotations;

namespace GlideFunctions.Options;

/// <summary>
/// Where the exported models are, which device runs them and how generations are fanned out and retried; bound from
/// the <c>Glide</c> section (app settings <c>Glide__ModelDirectory</c>, <c>Glide__Device</c>, …).
/// </summary>
public sealed class GlideOptions : IValidatableObject
{
    public const string SectionName = "Glide";

    /// <summary>The exported model directory (the one holding <c>manifest.json</c>).</summary>
    [Required]
    public string ModelDirectory { get; set; } = string.Empty;

    /// <summary><c>cpu</c>, or <c>cuda</c> to ask for the CUDA execution provider.</summary>
    [Required]
    [AllowedValues("cpu", "cuda")]
    public string Device { get; set; } = "cpu";

    /// <summary>
    /// Base candidates per <c>SampleBase</c> activity. Smaller chunks spread over more workers; larger ones batch
    /// more images per UNet call on one worker (better GPU use).
    /// </summary>
    [Range(1, 16)]
    public int ChunkSize { get; set; } = Orchestration.GenerationPlan.DefaultChunkSize;

    /// <summary>Tries per activity (the first included) before the generation fails.</summary>
    [Range(1, 10)]
    public int ActivityMaxAttempts { get; set; } = Orchestration.ActivityRetrySettings.Default.MaxAttempts;

    /// <summary>The wait before an activity's first retry; it doubles for each later one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan ActivityFirstRetryInterval { get; set; } = Orchestration.ActivityRetrySettings.Default.FirstRetryInterval;

    /// <summary>
    /// How often a running stage saves its step progress and checks for a cancel request: a cancel takes effect at
    /// the first step boundary after the check sees it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan SignalInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Optional absolute base of the API (<c>https://glide.example.com</c>) for the image URLs in generation objects
    /// and webhooks; without it HTTP-created generations use the request's host and queued ones relative URLs.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The retry policy the orchestrator gives its activities.</summary>
    public Orchestration.ActivityRetrySettings ToActivityRetry() => new(ActivityMaxAttempts, ActivityFirstRetryInterval);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(PublicBaseUrl)
            && (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Query)))
        {
            yield return new ValidationResult(
                $"{nameof(PublicBaseUrl)} must be an absolute http(s) URL without a query, got '{PublicBaseUrl}'",
                [nameof(PublicBaseUrl)]);
        }
    }
}
