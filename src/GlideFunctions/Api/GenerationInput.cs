using System.Text.Json.Serialization;
using Glide.Pipeline;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Api;

/// <summary>
/// A validated create request with every default filled: what a generation runs and what the generation object
/// echoes as <c>input</c>. Built by <see cref="GenerationRequestParser"/>; its canonical JSON is what
/// <see cref="IdempotencyKey.HashInput"/> hashes, so two bodies that differ only in key order, whitespace or
/// spelled-out defaults are the same request.
/// </summary>
public sealed record GenerationInput
{
    /// <summary>
    /// Longest prompt or negative prompt, in Unicode characters (scalar values, so an emoji counts once).
    /// </summary>
    /// <remarks>
    /// The model reads only the first 128 tokens (<c>GlideTokenizer.ContextLength</c>) and drops the rest, as the
    /// reference does; this limit only keeps request bodies and the stored input small.
    /// </remarks>
    public const int MaxPromptLength = 2000;

    /// <summary>Most candidates one generation samples: the core pipeline's limit.</summary>
    public const int MaxCandidates = GenerationRequest.MaxCount;

    public const double MinGuidanceScale = 0;

    public const double MaxGuidanceScale = 100;

    /// <summary>
    /// Largest first seed: 2^53 − 64, so that every per-image seed (seed + k, k &lt; 64) is an integer that a
    /// JavaScript client, which parses JSON numbers as doubles, reads back exactly.
    /// </summary>
    public const long MaxSeed = (1L << 53) - MaxCandidates;

    private static readonly GenerationRequest CoreDefaults = new() { Prompt = string.Empty };

    /// <summary>The text2im notebook's guidance scale, 3.0 (the core library's default).</summary>
    public static double DefaultGuidanceScale => CoreDefaults.GuidanceScale;

    /// <summary><c>"100"</c>, the core library's default.</summary>
    public static string DefaultBaseSteps => CoreDefaults.BaseSteps;

    /// <summary><c>"fast27"</c>, the core library's default.</summary>
    public static string DefaultUpsampleSteps => CoreDefaults.UpsampleSteps;

    /// <summary>Every event, in emission order: what a request with a webhook and no filter receives.</summary>
    public static IReadOnlyList<WebhookEventType> AllWebhookEvents => WebhookEventNames.All;

    [JsonPropertyName("prompt")]
    public required string Prompt { get; init; }

    [JsonPropertyName("negative_prompt")]
    public string? NegativePrompt { get; init; }

    [JsonPropertyName("num_candidates")]
    public int NumCandidates { get; init; } = 1;

    [JsonPropertyName("num_outputs")]
    public int NumOutputs { get; init; } = 1;

    [JsonPropertyName("guidance_scale")]
    public double GuidanceScale { get; init; } = DefaultGuidanceScale;

    /// <summary>Trimmed respacing string, accepted by <c>Respacing.Parse</c>.</summary>
    [JsonPropertyName("base_steps")]
    public string BaseSteps { get; init; } = DefaultBaseSteps;

    /// <summary>Trimmed respacing string, accepted by <c>Respacing.Parse</c>.</summary>
    [JsonPropertyName("upsample_steps")]
    public string UpsampleSteps { get; init; } = DefaultUpsampleSteps;

    /// <summary>
    /// Seed of the first candidate; null until the caller fills it (<see cref="WithSeedIfMissing"/>) from
    /// <see cref="IdempotencyKey.DeriveSeed"/> or a random draw.
    /// </summary>
    [JsonPropertyName("seed")]
    public long? Seed { get; init; }

    [JsonPropertyName("rerank")]
    public bool Rerank { get; init; }

    [JsonPropertyName("webhook")]
    public string? Webhook { get; init; }

    /// <summary>Distinct events in emission order; null exactly when <see cref="Webhook"/> is.</summary>
    [JsonPropertyName("webhook_events_filter")]
    public IReadOnlyList<WebhookEventType>? WebhookEventsFilter { get; init; }

    /// <summary>This input with <paramref name="seed"/> as its seed if the request gave none.</summary>
    public GenerationInput WithSeedIfMissing(long seed)
    {
        if (seed is < 0 or > MaxSeed)
        {
            throw new ArgumentOutOfRangeException(nameof(seed), seed, $"seed must be between 0 and {MaxSeed}");
        }

        return Seed is null ? this with { Seed = seed } : this;
    }

    /// <summary>The core pipeline's request for the <see cref="NumCandidates"/> base samples.</summary>
    /// <exception cref="InvalidOperationException">The seed has not been filled in yet.</exception>
    public GenerationRequest ToGenerationRequest() => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Count = NumCandidates,
        Seed = Seed ?? throw new InvalidOperationException(
            "the generation input has no seed yet; fill it with WithSeedIfMissing before running it"),
        GuidanceScale = (float)GuidanceScale,
        BaseSteps = BaseSteps,
        UpsampleSteps = UpsampleSteps,
    };

    // Records compare lists by reference; an input read back from storage must equal the one that was written.
    public bool Equals(GenerationInput? other) =>
        other is not null
        && Prompt == other.Prompt
        && NegativePrompt == other.NegativePrompt
        && NumCandidates == other.NumCandidates
        && NumOutputs == other.NumOutputs
        && GuidanceScale.Equals(other.GuidanceScale)
        && BaseSteps == other.BaseSteps
        && UpsampleSteps == other.UpsampleSteps
        && Seed == other.Seed
        && Rerank == other.Rerank
        && Webhook == other.Webhook
        && (WebhookEventsFilter is null
            ? other.WebhookEventsFilter is null
            : other.WebhookEventsFilter is not null && WebhookEventsFilter.SequenceEqual(other.WebhookEventsFilter));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Prompt);
        hash.Add(NegativePrompt);
        hash.Add(NumCandidates);
        hash.Add(NumOutputs);
        hash.Add(GuidanceScale);
        hash.Add(BaseSteps);
        hash.Add(UpsampleSteps);
        hash.Add(Seed);
        hash.Add(Rerank);
        hash.Add(Webhook);
        foreach (var item in WebhookEventsFilter ?? [])
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
