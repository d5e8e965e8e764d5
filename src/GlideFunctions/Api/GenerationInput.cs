using System.Text.Json.Serialization;
using Glide.Diffusion;
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

    /// <summary>The inpainting notebook's guidance scale, 5.0 (the core library's inpainting default).</summary>
    public static double DefaultInpaintGuidanceScale => InpaintRequest.DefaultGuidanceScale;

    /// <summary><c>"cfg"</c>: classifier-free guidance, the core library's default.</summary>
    public static string DefaultGuidanceMode => GuidanceModeNames.ToName(CoreDefaults.Guidance);

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

    /// <summary><c>"cfg"</c> or <c>"clip"</c> (<see cref="GuidanceModeNames"/>).</summary>
    [JsonPropertyName("guidance_mode")]
    public string GuidanceMode { get; init; } = DefaultGuidanceMode;

    /// <summary>Trimmed respacing string, accepted by <c>Respacing.Parse</c>.</summary>
    [JsonPropertyName("base_steps")]
    public string BaseSteps { get; init; } = DefaultBaseSteps;

    /// <summary>Trimmed respacing string, accepted by <c>Respacing.Parse</c>.</summary>
    [JsonPropertyName("upsample_steps")]
    public string UpsampleSteps { get; init; } = DefaultUpsampleSteps;

    /// <summary>
    /// Text-to-image: <c>"ddim"</c> or <c>"ancestral"</c> (<see cref="SamplerKinds"/>), the request's or, when it
    /// named none, the model's (<see cref="WithUpsampleSamplerIfMissing"/>), so that the echoed input says which ran
    /// and sent again reproduces the images even after the model's default changes. Null for inpainting (always
    /// ancestral) and left out of the JSON then, and in inputs stored before the field existed (the model's
    /// default).
    /// </summary>
    [JsonPropertyName("upsample_sampler")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UpsampleSampler { get; init; }

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

    /// <summary>
    /// Inpainting: lower-case hex SHA-256 of the uploaded image's PNG bytes (the image itself is stored with the run,
    /// never echoed); null for text-to-image, and then left out of the JSON like the other inpainting fields.
    /// </summary>
    [JsonPropertyName("image_sha256")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ImageSha256 { get; init; }

    /// <summary>Inpainting with a mask file: SHA-256 of its PNG bytes.</summary>
    [JsonPropertyName("mask_sha256")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MaskSha256 { get; init; }

    /// <summary>Inpainting with a mask file: whether white means generate; null otherwise.</summary>
    [JsonPropertyName("invert_mask")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? InvertMask { get; init; }

    /// <summary>Inpainting without a mask file: the base rows kept from the top; null otherwise.</summary>
    [JsonPropertyName("keep_top_rows")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? KeepTopRows { get; init; }

    /// <summary>An inpainting request (it has an image).</summary>
    [JsonIgnore]
    public bool IsInpaint => ImageSha256 is not null;

    /// <summary>This input with <paramref name="seed"/> as its seed if the request gave none.</summary>
    public GenerationInput WithSeedIfMissing(long seed)
    {
        if (seed is < 0 or > MaxSeed)
        {
            throw new ArgumentOutOfRangeException(nameof(seed), seed, $"seed must be between 0 and {MaxSeed}");
        }

        return Seed is null ? this with { Seed = seed } : this;
    }

    /// <summary>
    /// This input with <paramref name="modelDefault"/> (the model manifest's upsample sampler) as its upsample sampler
    /// if it is a text-to-image request that named none; an inpainting input unchanged.
    /// </summary>
    public GenerationInput WithUpsampleSamplerIfMissing(SamplerKind modelDefault) =>
        IsInpaint || UpsampleSampler is not null
            ? this
            : this with { UpsampleSampler = SamplerKinds.Name(modelDefault) };

    /// <summary>The core pipeline's request for the <see cref="NumCandidates"/> base samples.</summary>
    /// <exception cref="InvalidOperationException">The seed has not been filled in yet.</exception>
    public GenerationRequest ToGenerationRequest() => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Count = NumCandidates,
        Seed = RequireSeed(),
        GuidanceScale = (float)GuidanceScale,
        Guidance = GuidanceModeNames.Parse(GuidanceMode),
        BaseSteps = BaseSteps,
        UpsampleSteps = UpsampleSteps,
        UpsampleSampler = UpsampleSampler is null ? null : SamplerKinds.Parse(UpsampleSampler),
    };

    /// <summary>The core pipeline's inpainting request for <see cref="NumCandidates"/> images.</summary>
    /// <exception cref="InvalidOperationException">The seed has not been filled in yet.</exception>
    public InpaintRequest ToInpaintRequest() => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Count = NumCandidates,
        Seed = RequireSeed(),
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
        && GuidanceMode == other.GuidanceMode
        && BaseSteps == other.BaseSteps
        && UpsampleSteps == other.UpsampleSteps
        && UpsampleSampler == other.UpsampleSampler
        && Seed == other.Seed
        && Rerank == other.Rerank
        && Webhook == other.Webhook
        && ImageSha256 == other.ImageSha256
        && MaskSha256 == other.MaskSha256
        && InvertMask == other.InvertMask
        && KeepTopRows == other.KeepTopRows
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
        hash.Add(GuidanceMode);
        hash.Add(BaseSteps);
        hash.Add(UpsampleSteps);
        hash.Add(UpsampleSampler);
        hash.Add(Seed);
        hash.Add(Rerank);
        hash.Add(Webhook);
        hash.Add(ImageSha256);
        hash.Add(MaskSha256);
        hash.Add(InvertMask);
        hash.Add(KeepTopRows);
        foreach (var item in WebhookEventsFilter ?? [])
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    private long RequireSeed() => Seed ?? throw new InvalidOperationException(
        "the generation input has no seed yet; fill it with WithSeedIfMissing before running it");
}
