using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class ClassifierFreeGuidanceTests
{
    [Fact]
    public void Guides_the_eps_channels_and_keeps_the_conditional_variance()
    {
        // As the reference test's fake model: cond eps = x + 1, v = 0.25; uncond eps = x − 2, v = −0.75.
        // uncond + 3·(cond − uncond) = x + 7.
        float[] x = [0.5f, -1.25f, 2f];
        float[] cond = [.. x.Select(v => v + 1f), 0.25f, 0.25f, 0.25f];
        float[] uncond = [.. x.Select(v => v - 2f), -0.75f, -0.75f, -0.75f];
        var guided = new float[6];

        ClassifierFreeGuidance.Combine(cond, uncond, 3f, guided);

        Assert.Equal([7.5f, 5.75f, 9f, 0.25f, 0.25f, 0.25f], guided);
    }

    [Fact]
    public void Evaluates_uncond_plus_scale_times_the_difference_in_float32()
    {
        float[] cond = [0.1f, -0.3f, 1e-3f, 9f];
        float[] uncond = [0.7f, 0.2f, -2e-3f, 8f];
        const float scale = 7.3f;
        var guided = new float[4];

        ClassifierFreeGuidance.Combine(cond, uncond, scale, guided);

        Assert.Equal(uncond[0] + (scale * (cond[0] - uncond[0])), guided[0]);
        Assert.Equal(uncond[1] + (scale * (cond[1] - uncond[1])), guided[1]);
        Assert.Equal(cond[2..], guided[2..]);
    }

    [Fact]
    public void May_write_over_the_conditional_output()
    {
        float[] cond = [1f, 2f, 0.5f, 0.5f];
        float[] uncond = [0f, 1f, -0.5f, -0.5f];

        ClassifierFreeGuidance.Combine(cond, uncond, 2f, cond);

        Assert.Equal([2f, 3f, 0.5f, 0.5f], cond);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void The_scale_must_be_finite(float scale)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => ClassifierFreeGuidance.Combine([1f, 2f], [1f, 2f], scale, new float[2]));

        Assert.Contains("guidance scale must be a finite number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shapes_must_agree()
    {
        Assert.Throws<ArgumentException>(
            () => ClassifierFreeGuidance.Combine([1f, 2f, 3f], [1f, 2f, 3f], 3f, new float[3]));
        var mismatch = Assert.Throws<ArgumentException>(
            () => ClassifierFreeGuidance.Combine([1f, 2f], [1f, 2f, 3f, 4f], 3f, new float[2]));
        Assert.Contains("uncond has 4 elements; expected 2", mismatch.Message, StringComparison.Ordinal);
    }
}
