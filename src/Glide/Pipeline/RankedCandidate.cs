namespace Glide.Pipeline;

/// <summary>One base candidate as the reranker saw it.</summary>
/// <param name="Candidate">Its index among the candidates (seed = the request's seed + this index).</param>
/// <param name="Score">Cosine similarity of its noised-CLIP image embedding (t = 0) with the prompt's, in
/// [−1, 1].</param>
/// <param name="Rank">0 for the best score; equal scores rank by candidate index.</param>
/// <param name="Kept">Whether it is among the kept (best <c>keep</c>) candidates, i.e.
/// <paramref name="Rank"/> &lt; keep.</param>
public sealed record RankedCandidate(int Candidate, float Score, int Rank, bool Kept);
