namespace Glide.Pipeline;

/// <summary>
/// The reranking of N base candidates: every candidate's score and rank, and the kept ones best first. Ranking is
/// by score, highest first; equal scores keep candidate order (a stable sort), so a result never depends on how the
/// scores were computed beyond their values.
/// </summary>
public sealed record RerankResult
{
    private RerankResult(IReadOnlyList<RankedCandidate> candidates, IReadOnlyList<int> kept)
    {
        Candidates = candidates;
        Kept = kept;
    }

    /// <summary>Every candidate in candidate order (index k is candidate k).</summary>
    public IReadOnlyList<RankedCandidate> Candidates { get; }

    /// <summary>The kept candidates' indices, best first: output k upsamples candidate <c>Kept[k]</c>.</summary>
    public IReadOnlyList<int> Kept { get; }

    /// <summary>Ranks <paramref name="scores"/> (one per candidate) and keeps the best <paramref name="keep"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No scores, a NaN score, or <paramref name="keep"/> outside [1, N].
    /// </exception>
    public static RerankResult Rank(IReadOnlyList<float> scores, int keep)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var count = scores.Count;
        if (count == 0)
        {
            throw new ArgumentException("expected one score per candidate, got none", nameof(scores));
        }

        if (keep < 1 || keep > count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(keep), keep, $"keep must be between 1 and the {count} candidates, got {keep}");
        }

        for (var i = 0; i < count; i++)
        {
            if (float.IsNaN(scores[i]))
            {
                // A NaN would rank arbitrarily; it means the candidate or the CLIP graph is broken.
                throw new ArgumentException($"the CLIP score of candidate {i} is NaN", nameof(scores));
            }
        }

        var order = Enumerable.Range(0, count).ToArray();
        // Array.Sort is unstable: the index comparison makes the order total, hence stable.
        Array.Sort(order, (a, b) =>
        {
            var byScore = scores[b].CompareTo(scores[a]);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });

        var candidates = new RankedCandidate[count];
        for (var rank = 0; rank < count; rank++)
        {
            var candidate = order[rank];
            candidates[candidate] = new RankedCandidate(candidate, scores[candidate], rank, rank < keep);
        }

        return new RerankResult(candidates, order[..keep]);
    }
}
