using Glide.Models;

namespace Glide.Tests.Models;

public sealed class GraphVerificationResultTests
{
    [Fact]
    public void The_worst_output_is_the_one_furthest_over_its_own_tolerance()
    {
        var large = new OutputComparison("large", 0.01, 200);
        var small = new OutputComparison("small", 0.001, 1);

        var result = new GraphVerificationResult("g", 2, [large, small]);

        Assert.Equal("small", result.Worst.Name);
        Assert.Equal(0.001, result.MaxAbsError);
        Assert.Equal(1, result.Scale);
        Assert.False(result.Passed);
    }

    [Fact]
    public void A_nan_output_is_the_worst()
    {
        var result = new GraphVerificationResult(
            "g", 1, [new OutputComparison("bad", 1, 1), new OutputComparison("nan", double.NaN, 1)]);

        Assert.Equal("nan", result.Worst.Name);
        Assert.True(double.IsNaN(result.MaxAbsError));
    }

    [Fact]
    public void Passes_only_when_every_output_passes()
    {
        var ok = new OutputComparison("a", 1e-6, 1);

        Assert.True(new GraphVerificationResult("g", 1, [ok, ok]).Passed);
        Assert.False(new GraphVerificationResult("g", 1, [ok, new OutputComparison("b", 1, 1)]).Passed);
    }
}
