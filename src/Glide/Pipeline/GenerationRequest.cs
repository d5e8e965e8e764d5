using Glide.Diffusion;

namespace Glide.Pipeline;

/// <summary>
/// What to generate. Defaults are the text2im notebook's (glide-spec §8.1, §8.2): guidance 3.0, base "100",
/// upsampler "fast27" with temperature 0.997. Candidate k uses seed <see cref="Seed"/> + k, so an image depends only
/// on its own seed, never on how many images were asked for or which of them reranking kept.
/// </summary>
public sealed record GenerationRequest
{
    public const int MaxCount = 64;

    /// <summary>The prompt; "" is allowed and generates unconditionally (it tokenizes to the unconditional row).</summary>
    public required string Prompt { get; init; }

    /// <summary>Replaces the empty unconditional prompt of classifier-free guidance; null means "".</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>Base candidates sampled; all are upsampled unless <see cref="Keep"/> is set.</summary>
    public int Count { get; init; } = 1;

    /// <summary>
    /// Rerank the <see cref="Count"/> candidates with noised CLIP (<see cref="ClipReranker"/>) and upsample only the
    /// best <see cref="Keep"/>, best first; null upsamples every candidate in order, without CLIP.
    /// </summary>
    public int? Keep { get; init; }

    /// <summary>Images upsampled and returned: <see cref="Keep"/>, or every candidate.</summary>
    public int OutputCount => Keep ?? Count;

    public long Seed { get; init; }

    /// <summary>The classifier-free guidance scale, or with <see cref="GuidanceMode.Clip"/> the CLIP gradient scale
    /// (3.0 in both notebooks).</summary>
    public float GuidanceScale { get; init; } = 3f;

    /// <summary>Classifier-free (default) or CLIP guidance of the base stage (glide-spec §8.1, §8.4).</summary>
    public GuidanceMode Guidance { get; init; } = GuidanceMode.ClassifierFree;

    public string BaseSteps { get; init; } = "100";

    public string UpsampleSteps { get; init; } = "fast27";

    public float UpsampleTemperature { get; init; } = NoiseTemperature.Upsample;

    /// <summary>The upsampler's steps: DDIM with eta 0 (the notebook's) or ancestral; null takes the model's
    /// (<see cref="Models.SamplingDefaults"/>).</summary>
    public SamplerKind? UpsampleSampler { get; init; }

    /// <summary>Seed of candidate <paramref name="index"/>.</summary>
    public long SeedOf(int index) => unchecked(Seed + index);

    public IReadOnlyList<long> Seeds() => Enumerable.Range(0, Count).Select(SeedOf).ToArray();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        RequestChecks.PromptAndCount(Prompt, Count);
        if (Keep is { } keep && (keep < 1 || keep > Count))
        {
            throw new ArgumentException($"keep must be between 1 and the {Count} candidates, got {keep}", nameof(Keep));
        }

        RequestChecks.GuidanceScale(GuidanceScale);
        if (!Enum.IsDefined(Guidance))
        {
            throw new ArgumentException($"unknown guidance mode {(int)Guidance}", nameof(Guidance));
        }

        if (Guidance == GuidanceMode.Clip && NegativePrompt is not null)
        {
            throw new ArgumentException(
                "a negative prompt needs classifier-free guidance: CLIP guidance has no unconditional row to replace",
                nameof(NegativePrompt));
        }

        RequestChecks.Sampling(UpsampleTemperature, BaseSteps, UpsampleSteps);
        if (UpsampleSampler is { } sampler && !Enum.IsDefined(sampler))
        {
            throw new ArgumentException($"unknown upsample sampler {(int)sampler}", nameof(UpsampleSampler));
        }
    }
}
