namespace Glide.Pipeline;

/// <summary>The images of one request, the 64×64 base samples they came from, and how long each stage took.</summary>
/// <param name="Images">The 256×256 outputs, in output order (candidate order, or best first when reranked).</param>
/// <param name="BaseSamples">[N, 3, 64, 64] in [−1, 1], the base stage's output for every candidate.</param>
/// <param name="Samples">[K, 3, 256, 256] in [−1, 1], the upsampler's output before 8-bit conversion, one row per
/// image of <paramref name="Images"/>.</param>
/// <param name="StageSeconds">Wall time per stage name (<see cref="StageNames"/>).</param>
/// <param name="PromptTruncated">The prompt had more than 128 tokens and was cut.</param>
public sealed record GenerationResult(
    IReadOnlyList<GeneratedImage> Images,
    float[] BaseSamples,
    float[] Samples,
    IReadOnlyDictionary<string, double> StageSeconds,
    bool PromptTruncated)
{
    /// <summary>Every candidate's CLIP score and rank when the request asked for reranking, else null.</summary>
    public RerankResult? Rerank { get; init; }
}
