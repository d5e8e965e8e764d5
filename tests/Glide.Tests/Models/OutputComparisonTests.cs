using Glide.Models;

namespace Glide.Tests.Models;

public sealed class OutputComparisonTests
{
    [Theory]
    [InlineData(0.0, 1.0, true)]
    [InlineData(1e-4, 1.0, true)]
    [InlineData(1.5e-4, 1.0, false)]
    [InlineData(0.012, 150.0, true)]
    [InlineData(0.016, 150.0, false)]
    public void Tolerance_is_1e_4_of_the_scale(double error, double scale, bool passes)
    {
        var comparison = new OutputComparison("x", error, scale);

        Assert.Equal(1e-4 * scale, comparison.Tolerance);
        Assert.Equal(passes, comparison.Passed);
    }

    [Fact]
    public void Nan_never_passes_and_has_an_infinite_ratio()
    {
        var nan = new OutputComparison("nan", double.NaN, 1);

        Assert.False(nan.Passed);
        Assert.Equal(double.PositiveInfinity, nan.Ratio);
    }
}
