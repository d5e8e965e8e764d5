using Glide.Diffusion;

namespace Glide.Pipeline;

/// <summary>
/// What to generate. Defaults are the text2im notebook's (glide-spec §8.1, §8.2): guidance 3.0, base "100",
/// upsampler "fast27" with temperature 0.997. Image k uses seed <see cref="Seed"/> + k, so an image depends only on
/// its own seed, never on how many images were asked for.
/// </summary>
public sealed record GenerationRequest
{
    public const int MaxCount = 64;

    /// <summary>The prompt; "" is allowed and generates unconditionally (it tokenizes to the unconditional row).</summary>
    public required string Prompt { get; init; }

    /// <summary>Replaces the empty unconditional prompt of classifier-free guidance; null means "".</summary>
    public string? NegativePrompt { get; init; }

    public int Count { get; init; } = 1;

    public long Seed { get; init; }

    public float GuidanceScale { get; init; } = 3f;

    public string BaseSteps { get; init; } = "100";

    public string UpsampleSteps { get; init; } = "fast27";

    public float UpsampleTemperature { get; init; } = NoiseTemperature.Upsample;

    /// <summary>Seed of image <paramref name="index"/>.</summary>
    public long SeedOf(int index) => unchecked(Seed + index);

    public IReadOnlyList<long> Seeds() => Enumerable.Range(0, Count).Select(SeedOf).ToArray();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Prompt, nameof(Prompt));
        if (Count is < 1 or > MaxCount)
        {
            throw new ArgumentException($"count must be between 1 and {MaxCount}, got {Count}", nameof(Count));
        }

        if (!float.IsFinite(GuidanceScale))
        {
            throw new ArgumentException($"guidance scale must be a finite number, got {GuidanceScale}", nameof(GuidanceScale));
        }

        if (!float.IsFinite(UpsampleTemperature) || UpsampleTemperature <= 0f)
        {
            throw new ArgumentException(
                $"upsample temperature must be a positive number, got {UpsampleTemperature}", nameof(UpsampleTemperature));
        }

        CheckSteps(BaseSteps, nameof(BaseSteps));
        CheckSteps(UpsampleSteps, nameof(UpsampleSteps));
    }

    private static void CheckSteps(string spec, string name)
    {
        try
        {
            Respacing.Parse(spec);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{name}: {e.Message}", name, e);
        }
    }
}
