using GlideFunctions.Api;

namespace GlideFunctions.Orchestration;

/// <summary>
/// What <see cref="GenerationOrchestrator"/> returns when it ends normally: succeeded with every output image, or
/// canceled with those stored before the cancel. (A failed generation ends the orchestration as failed.)
/// </summary>
public sealed record GenerationOutcome(string RunId, GenerationStatus Status, IReadOnlyList<GenerationImage> Images);

/// <summary>
/// One output image: its blob (<c>runs/{id}/images/{Index}.png</c>), the candidate it was made from and that
/// candidate's seed. With reranking <see cref="Index"/> is the image's rank (0 = the best).
/// </summary>
public sealed record GenerationImage(int Index, long Seed, string ImageBlob)
{
    /// <summary>The base candidate this image upsamples (equal to <see cref="Index"/> without reranking).</summary>
    public int Candidate { get; init; } = Index;

    /// <summary>The candidate's noised-CLIP score (cosine with the prompt) when reranked, else null.</summary>
    public double? ClipScore { get; init; }
}
