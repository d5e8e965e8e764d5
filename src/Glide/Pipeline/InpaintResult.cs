namespace Glide.Pipeline;

/// <summary>The images of one inpainting request, the 64×64 samples they came from, and each stage's time.</summary>
/// <param name="Images">The 256×256 outputs, in request order; in the mask's kept region each equals the resized
/// source exactly.</param>
/// <param name="BaseSamples">[N, 3, 64, 64] in [−1, 1], the base stage's output.</param>
/// <param name="Samples">[N, 3, 256, 256] in [−1, 1], the upsampler's output before 8-bit conversion.</param>
/// <param name="StageSeconds">Wall time per stage name (<see cref="StageNames"/>).</param>
/// <param name="PromptTruncated">The prompt had more than 128 tokens and was cut.</param>
public sealed record InpaintResult(
    IReadOnlyList<GeneratedImage> Images,
    float[] BaseSamples,
    float[] Samples,
    IReadOnlyDictionary<string, double> StageSeconds,
    bool PromptTruncated);
