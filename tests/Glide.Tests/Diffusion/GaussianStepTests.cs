using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class GaussianStepTests
{
    private static readonly StepCoefficients Step13 =
        DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27").Coefficients(13);

    [Fact]
    public void The_learned_range_spans_the_clipped_posterior_to_beta()
    {
        // v = 1 gives log β, v = −1 the clipped posterior log variance; v is not clamped beyond them.
        var logVariance = new float[3];

        GaussianStep.LearnedRangeLogVariance(Step13, [1f, -1f, 0f], logVariance);

        Assert.Equal(Step13.LogBeta, logVariance[0]);
        Assert.Equal(Step13.PosteriorLogVarianceClipped, logVariance[1]);
        Assert.Equal((0.5f * Step13.LogBeta) + (0.5f * Step13.PosteriorLogVarianceClipped), logVariance[2]);
        Assert.True(GaussianStep.LearnedRangeLogVariance(Step13, 1.1f) > Step13.LogBeta);
    }

    [Fact]
    public void Eps_from_x0_inverts_x0_from_eps()
    {
        float[] x = [0.3f, -0.7f];
        float[] eps = [0.5f, 0.1f];
        var x0 = new float[2];
        var back = new float[2];

        GaussianStep.PredictXStartFromEps(Step13, x, eps, x0);
        GaussianStep.PredictEpsFromXStart(Step13, x, x0, back);

        FloatAssert.AllClose(eps, back, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void The_clamp_keeps_nan_as_torch_does()
    {
        float[] x0 = [-3f, 0.25f, 2f, float.NaN];

        GaussianStep.ClampToUnitRange(x0);

        Assert.Equal([-1f, 0.25f, 1f], x0[..3]);
        Assert.True(float.IsNaN(x0[3]));
    }

    [Fact]
    public void The_posterior_mean_weights_x0_and_x_t()
    {
        var mean = new float[1];

        GaussianStep.PosteriorMean(Step13, [0.5f], [-0.25f], mean);

        Assert.Equal((Step13.PosteriorMeanCoef1 * 0.5f) + (Step13.PosteriorMeanCoef2 * -0.25f), mean[0]);
    }
}
