using System.Globalization;
using Glide.Diffusion;
using Glide.Pipeline;

namespace Glide.Evaluation;

/// <summary>
/// One way of generating the evaluation images: a guidance scale, and either plain sampling (<see cref="Keep"/>
/// null: <see cref="Count"/> images per caption) or best-<see cref="Keep"/>-of-<see cref="Count"/> reranking with
/// the noised CLIP; the base stage's 64×64 output, or the full cascade when <see cref="Upsample"/> is set.
/// </summary>
public sealed record EvalSetting
{
    /// <summary>The classifier-free guidance scale.</summary>
    public required float GuidanceScale { get; init; }

    /// <summary>Images sampled per caption (the candidates, when reranking).</summary>
    public int Count { get; init; } = 1;

    /// <summary>Rerank and keep the best this many; null keeps every sampled image, in seed order.</summary>
    public int? Keep { get; init; }

    /// <summary>Base respacing (e.g. "50").</summary>
    public required string BaseSteps { get; init; }

    /// <summary>Run the upsampler too and analyze its 256×256 output.</summary>
    public bool Upsample { get; init; }

    /// <summary>Upsampler respacing, with <see cref="Upsample"/>.</summary>
    public string UpsampleSteps { get; init; } = "fast27";

    /// <summary>Upsampler steps with <see cref="Upsample"/>; null takes the model's (its manifest's <c>sampling</c>).
    /// </summary>
    public SamplerKind? UpsampleSampler { get; init; }

    /// <summary>Images analyzed per caption.</summary>
    public int ImagesPerCaption => Keep ?? Count;

    /// <summary>
    /// A short name, safe in file names: "g3", "g1.5"; "g3-first2" for several plain images; "g3-clip1of4" when
    /// reranking.
    /// </summary>
    public string Name
    {
        get
        {
            var guidance = "g" + GuidanceScale.ToString("0.###", CultureInfo.InvariantCulture);
            return Keep is { } keep ? $"{guidance}-clip{keep}of{Count}"
                : Count > 1 ? $"{guidance}-first{Count}"
                : guidance;
        }
    }

    /// <summary>The generation request of one caption: what <c>glide generate</c> runs for the same arguments.</summary>
    public GenerationRequest Request(string caption, long seed) => new()
    {
        Prompt = caption,
        Count = Count,
        Keep = Keep,
        Seed = seed,
        GuidanceScale = GuidanceScale,
        BaseSteps = BaseSteps,
        UpsampleSteps = UpsampleSteps,
        UpsampleSampler = UpsampleSampler,
    };
}
