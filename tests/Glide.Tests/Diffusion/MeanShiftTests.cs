using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class MeanShiftTests
{
    private static readonly float[] V = [0.2f, -0.6f];
    private static readonly float[] Gradient = [0.05f, -0.125f];

    [Fact]
    public void The_default_shift_is_inactive()
    {
        Assert.False(default(MeanShift).IsActive);
        Assert.True(new MeanShift(Gradient, 3f).IsActive);
    }

    [Fact]
    public void Apply_adds_the_variance_times_the_scaled_gradient_in_torch_order()
    {
        var c = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "25").Coefficients(10);
        float[] mean = [0.4f, -0.9f];
        var expected = new float[2];
        for (var e = 0; e < 2; e++)
        {
            var variance = (float)Math.Exp(GaussianStep.LearnedRangeLogVariance(c, V[e]));
            var scaled = Gradient[e] * 3f;
            var step = variance * scaled;
            expected[e] = mean[e] + step;
        }

        new MeanShift(Gradient, 3f).Apply(c, V, mean);

        Assert.Equal(expected, mean);
    }

    [Fact]
    public void A_shifted_step_allocates_nothing()
    {
        var sampler = new ConditionedAncestralSampler(DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "25"));
        float[] output = [0.5f, -0.25f, .. V];
        float[] x = [0.3f, -1.2f];
        float[] noise = [0.7f, -1.1f];
        var predXStart = new float[2];
        sampler.Step(5, output, x, Gradient, 3f, noise, x, predXStart);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = sampler.Schedule.Steps - 1; i >= 0; i--)
        {
            sampler.Step(i, output, x, Gradient, 3f, noise, x, predXStart);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
