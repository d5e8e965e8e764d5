namespace Glide.Pipeline;

/// <summary>
/// One output image: 8-bit RGB, row-major [Height, Width, 3], with the seed that made it. <paramref name="Index"/> is
/// its position among the outputs: the candidate index without reranking, the rank with it.
/// </summary>
public sealed record GeneratedImage(int Index, long Seed, int Width, int Height, byte[] Rgb)
{
    /// <summary>The base candidate it upsamples (its seed is the request's seed + this).</summary>
    public int Candidate { get; init; } = Index;

    /// <summary>The candidate's CLIP score (<see cref="RankedCandidate.Score"/>) when reranked, else null.</summary>
    public float? ClipScore { get; init; }

    /// <summary>The candidate's rank among all candidates (0 = best) when reranked, else null.</summary>
    public int? Rank { get; init; }
}
