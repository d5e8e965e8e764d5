using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class ConditionedAncestralSamplerTests
{
    // One image [C=1, H=1, W=2], as in AncestralSamplerTests: the second element's x0 is clamped.
    private static readonly float[] X = [0.3f, -1.2f];
    private static readonly float[] Eps = [0.5f, -0.25f];
    private static readonly float[] V = [0.2f, -0.6f];
    private static readonly float[] Noise = [0.7f, -1.1f];
    private static readonly float[] Gradient = [0.05f, -0.125f];

    [Fact]
    public void The_mean_moves_by_the_variance_times_the_scaled_gradient()
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27");
        const int i = 13;
        const float scale = 3f;
        var tab = HandTables.From(HandTables.CosineAlphaBar(499), HandTables.CosineAlphaBar(461));

        var expected = new float[2];
        for (var e = 0; e < 2; e++)
        {
            var (_, x0) = tab.X0(X[e], Eps[e]);
            var frac = (V[e] + 1f) / 2f;
            var logVariance = (frac * (float)tab.LogBeta) + ((1f - frac) * (float)tab.LogPosterior);
            var mean = ((float)tab.Coef1 * x0) + ((float)tab.Coef2 * X[e]);
            var shifted = mean + (MathF.Exp(logVariance) * (Gradient[e] * scale)); // glide-spec §7.6
            expected[e] = shifted + (MathF.Exp(0.5f * logVariance) * Noise[e]);
        }

        var xNext = new float[2];
        var predXStart = new float[2];
        new ConditionedAncestralSampler(diffusion).Step(i, [.. Eps, .. V], X, Gradient, scale, Noise, xNext, predXStart);

        FloatAssert.AllClose(expected, xNext, rtol: 2e-6, atol: 1e-7);
    }

    [Fact]
    public void A_zero_gradient_is_exactly_the_plain_ancestral_step()
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "25");
        var plain = new float[2];
        var conditioned = new float[2];
        var predXStart = new float[2];
        var conditionedX0 = new float[2];
        for (var i = diffusion.Steps - 1; i >= 0; i--)
        {
            new AncestralSampler(diffusion).Step(i, [.. Eps, .. V], X, Noise, plain, predXStart);
            new ConditionedAncestralSampler(diffusion).Step(
                i, [.. Eps, .. V], X, new float[2], 3f, Noise, conditioned, conditionedX0);

            Assert.Equal(plain, conditioned);
            Assert.Equal(predXStart, conditionedX0);
        }
    }

    [Fact]
    public void The_last_step_still_shifts_the_mean_but_adds_no_noise()
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27");
        var sampler = new ConditionedAncestralSampler(diffusion);
        var c = diffusion.Coefficients(0);

        var withNoise = new float[2];
        var withoutNoise = new float[2];
        var predXStart = new float[2];
        sampler.Step(0, [.. Eps, .. V], X, Gradient, 3f, Noise, withNoise, predXStart);
        sampler.Step(0, [.. Eps, .. V], X, Gradient, 3f, ReadOnlySpan<float>.Empty, withoutNoise, predXStart);

        Assert.Equal(withNoise, withoutNoise);
        for (var e = 0; e < 2; e++)
        {
            var variance = (float)Math.Exp(GaussianStep.LearnedRangeLogVariance(c, V[e]));
            Assert.Equal(predXStart[e] + (variance * (Gradient[e] * 3f)), withNoise[e]);
            Assert.NotEqual(predXStart[e], withNoise[e]);
        }
    }

    [Fact]
    public void An_in_place_step_equals_a_step_into_another_span()
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "25");
        var sampler = new ConditionedAncestralSampler(diffusion);
        var apart = new float[2];
        var predXStart = new float[2];
        sampler.Step(10, [.. Eps, .. V], X, Gradient, 3f, Noise, apart, predXStart);

        float[] inPlace = [.. X];
        sampler.Step(10, [.. Eps, .. V], inPlace, Gradient, 3f, Noise, inPlace, predXStart);

        Assert.Equal(apart, inPlace);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_names()
    {
        var sampler = new ConditionedAncestralSampler(DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "25"));
        var xNext = new float[2];
        var predXStart = new float[2];

        Assert.Throws<ArgumentException>(
            "gradient", () => sampler.Step(3, [.. Eps, .. V], X, new float[3], 3f, Noise, xNext, predXStart));
        Assert.Throws<ArgumentOutOfRangeException>(
            "scale", () => sampler.Step(3, [.. Eps, .. V], X, Gradient, float.NaN, Noise, xNext, predXStart));
        Assert.Throws<ArgumentException>(
            "noise", () => sampler.Step(3, [.. Eps, .. V], X, Gradient, 3f, [], xNext, predXStart));
        float[] shared = [.. Gradient];
        Assert.Throws<ArgumentException>(
            "xNext", () => sampler.Step(3, [.. Eps, .. V], X, shared, 3f, Noise, shared, predXStart));
    }
}
