using Glide.Diffusion;

namespace Glide.Pipeline;

/// <summary>
/// What to paint into an <see cref="InpaintInputs"/>. Defaults are the inpainting notebook's (glide-spec §8.3):
/// guidance 5.0, base "100", upsampler "fast27" (ancestral) with temperature 0.997. Image k uses seed
/// <see cref="Seed"/> + k, so an image depends only on its own seed.
/// </summary>
public sealed record InpaintRequest
{
    public const int MaxCount = GenerationRequest.MaxCount;

    /// <summary>The notebook's guidance scale for inpainting.</summary>
    public const float DefaultGuidanceScale = 5f;

    /// <summary>What to paint; "" is allowed (unconditional).</summary>
    public required string Prompt { get; init; }

    /// <summary>Replaces the empty unconditional prompt of classifier-free guidance; null means "".</summary>
    public string? NegativePrompt { get; init; }

    public int Count { get; init; } = 1;

    public long Seed { get; init; }

    public float GuidanceScale { get; init; } = DefaultGuidanceScale;

    public string BaseSteps { get; init; } = "100";

    public string UpsampleSteps { get; init; } = "fast27";

    public float UpsampleTemperature { get; init; } = NoiseTemperature.Upsample;

    /// <summary>Seed of image <paramref name="index"/>.</summary>
    public long SeedOf(int index) => unchecked(Seed + index);

    public IReadOnlyList<long> Seeds() => Enumerable.Range(0, Count).Select(SeedOf).ToArray();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        RequestChecks.PromptAndCount(Prompt, Count);
        RequestChecks.GuidanceScale(GuidanceScale);
        RequestChecks.Sampling(UpsampleTemperature, BaseSteps, UpsampleSteps);
    }
}
