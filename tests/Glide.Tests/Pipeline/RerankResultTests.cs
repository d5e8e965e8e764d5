using Glide.Pipeline;

namespace Glide.Tests.Pipeline;

/// <summary>Ranking by score, best first, equal scores in candidate order; the best keep are kept.</summary>
public sealed class RerankResultTests
{
    [Fact]
    public void Candidates_are_ranked_best_first_and_the_best_are_kept()
    {
        var result = RerankResult.Rank([0.1f, 0.5f, -0.2f, 0.3f], keep: 2);

        Assert.Equal([1, 3], result.Kept);
        Assert.Equal([2, 0, 3, 1], result.Candidates.Select(c => c.Rank));
        Assert.Equal([false, true, false, true], result.Candidates.Select(c => c.Kept));
        Assert.Equal([0, 1, 2, 3], result.Candidates.Select(c => c.Candidate));
        Assert.Equal(0.5f, result.Candidates[1].Score);
    }

    [Fact]
    public void Equal_scores_rank_by_candidate_index()
    {
        var result = RerankResult.Rank([0.2f, 0.7f, 0.2f, 0.7f, 0.2f], keep: 3);

        Assert.Equal([1, 3, 0], result.Kept);
        Assert.Equal([2, 0, 3, 1, 4], result.Candidates.Select(c => c.Rank));
    }

    [Fact]
    public void Keeping_every_candidate_orders_them_all()
    {
        var result = RerankResult.Rank([-1f, 1f, 0f], keep: 3);

        Assert.Equal([1, 2, 0], result.Kept);
        Assert.All(result.Candidates, c => Assert.True(c.Kept));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Keep_outside_the_candidates_is_refused(int keep)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RerankResult.Rank([1f, 2f, 3f], keep));

        Assert.Equal("keep", error.ParamName);
        Assert.StartsWith($"keep must be between 1 and the 3 candidates, got {keep}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nan_score_is_an_error_not_a_rank()
    {
        var error = Assert.Throws<ArgumentException>(() => RerankResult.Rank([0.1f, float.NaN], keep: 1));

        Assert.StartsWith("the CLIP score of candidate 1 is NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_scores_is_refused()
    {
        Assert.Throws<ArgumentException>("scores", () => RerankResult.Rank([], keep: 1));
    }
}
