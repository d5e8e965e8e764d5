namespace Glide.Pipeline;

/// <summary>The images of one request, the 64×64 base samples they came from, and how long each stage took.</summary>
/// <param name="Images">The 256×256 outputs, in request order.</param>
/// <param name="BaseSamples">[N, 3, 64, 64] in [−1, 1], the base stage's output.</param>
/// <param name="Samples">[N, 3, 256, 256] in [−1, 1], the upsampler's output before 8-bit conversion.</param>
/// <param name="StageSeconds">Wall time per stage name (<see cref="StageNames"/>).</param>
/// <param name="PromptTruncated">The prompt had more than 128 tokens and was cut.</param>
public sealed record GenerationResult(
    IReadOnlyList<GeneratedImage> Images,
    float[] BaseSamples,
    float[] Samples,
    IReadOnlyDictionary<string, double> StageSeconds,
    bool PromptTruncated);
