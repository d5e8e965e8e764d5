using Glide.Imaging;

namespace Glide.Evaluation;

/// <summary>One generated image of a caption and where it came from.</summary>
/// <param name="Candidate">Its index among the caption's sampled images (seed = caption seed + candidate).</param>
/// <param name="Seed">The seed that made it.</param>
/// <param name="ClipScore">Its noised-CLIP score when reranked, else null.</param>
/// <param name="Image">The pixels: 64×64 base output, or 256×256 when upsampled.</param>
public sealed record EvalImage(int Candidate, long Seed, float? ClipScore, RgbImage Image);
