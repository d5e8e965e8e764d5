using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class LowResQuantizerTests
{
    // Expected values from the reference (glide_export.diffusion.quantize_low_res, i.e. torch): inputs where
    // (x+1)·127.5 is exactly k + 0.5 in float32 round half to even; the rest are ordinary values and the ends.
    [Theory]
    [InlineData(-0.49411765f, -0.4980392f, 64.5)]
    [InlineData(-0.015686277f, -0.011764705f, 125.5)]
    [InlineData(0.023529408f, 0.019607902f, 130.5)]
    [InlineData(0.06274507f, 0.06666672f, 135.5)]
    [InlineData(0.99607843f, 0.99215686f, 254.5)]
    [InlineData(0f, 0.003921628f, 127.5)]
    [InlineData(-1f, -1f, 0.0)]
    [InlineData(1f, 1f, 255.0)]
    [InlineData(0.3f, 0.30196083f, 165.75)]
    [InlineData(-0.77f, -0.77254903f, 29.325002670288086)]
    public void Matches_torch_including_half_to_even_ties(float x, float expected, double level)
    {
        Assert.Equal(level, (double)((x + 1f) * 127.5f));
        var destination = new float[1];

        LowResQuantizer.Quantize([x], destination);

        Assert.Equal(expected, destination[0]);
    }

    [Fact]
    public void Every_result_is_one_of_the_256_levels()
    {
        var x = Enumerable.Range(0, 1001).Select(k => -1f + (k / 500f)).ToArray();
        var levels = Enumerable.Range(0, 256).Select(k => (k / 127.5f) - 1f).ToHashSet();

        LowResQuantizer.Quantize(x, x);

        Assert.All(x, v => Assert.Contains(v, levels));
        Assert.Equal(-1f, x[0]);
        Assert.Equal(1f, x[^1]);
    }

    [Fact]
    public void The_destination_must_match()
    {
        Assert.Throws<ArgumentException>(() => LowResQuantizer.Quantize([0f, 1f], new float[1]));
    }
}
