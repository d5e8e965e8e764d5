using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class AncestralSamplerTests
{
    // One image [C=1, H=1, W=2]: the first element's x0 stays inside [−1, 1], the second is clamped.
    private static readonly float[] X = [0.3f, -1.2f];
    private static readonly float[] Eps = [0.5f, -0.25f];
    private static readonly float[] V = [0.2f, -0.6f];
    private static readonly float[] Noise = [0.7f, -1.1f];

    public static TheoryData<string, string, string> Fixtures() => new()
    {
        { "ancestral-cosine-25-cfg", "squaredcos_cap_v2", "25" },
        { "ancestral-linear-fast27-inpaint", "linear", "fast27" },
    };

    [Fact]
    public void A_step_matches_the_formulas_computed_by_hand()
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27");
        const int i = 13;
        Assert.Equal(499, diffusion.TimestepMap[i]);
        Assert.Equal(461, diffusion.TimestepMap[i - 1]);
        var tab = HandTables.From(HandTables.CosineAlphaBar(499), HandTables.CosineAlphaBar(461));

        var expectedX0 = new float[2];
        var expected = new float[2];
        for (var e = 0; e < 2; e++)
        {
            var (_, x0) = tab.X0(X[e], Eps[e]);
            var frac = (V[e] + 1f) / 2f;
            var logVariance = (frac * (float)tab.LogBeta) + ((1f - frac) * (float)tab.LogPosterior);
            var mean = ((float)tab.Coef1 * x0) + ((float)tab.Coef2 * X[e]);
            expectedX0[e] = x0;
            expected[e] = mean + (MathF.Exp(0.5f * logVariance) * Noise[e]);
        }

        Assert.Equal(-1f, expectedX0[1]);
        Assert.InRange(expectedX0[0], -0.999f, 0.999f);

        var xNext = new float[2];
        var predXStart = new float[2];
        new AncestralSampler(diffusion).Step(i, [.. Eps, .. V], X, Noise, xNext, predXStart);

        FloatAssert.AllClose(expectedX0, predXStart, rtol: 2e-6, atol: 1e-7);
        FloatAssert.AllClose(expected, xNext, rtol: 2e-6, atol: 1e-7);
    }

    [Fact]
    public void The_last_step_returns_the_clamped_x0_and_ignores_the_noise()
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27");
        var sampler = new AncestralSampler(diffusion);
        var alphaBar = HandTables.CosineAlphaBar(0);
        var expected0 = ((float)Math.Sqrt(1.0 / alphaBar) * X[0]) - ((float)Math.Sqrt((1.0 / alphaBar) - 1.0) * Eps[0]);

        var withNoise = new float[2];
        var withoutNoise = new float[2];
        var predXStart = new float[2];
        sampler.Step(0, [.. Eps, .. V], X, Noise, withNoise, predXStart);
        sampler.Step(0, [.. Eps, .. V], X, ReadOnlySpan<float>.Empty, withoutNoise, predXStart);

        Assert.Equal(predXStart, withNoise);
        Assert.Equal(withNoise, withoutNoise);
        Assert.Equal([expected0, -1f], withNoise);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_step_reproduces_the_reference_from_its_recorded_input(
        string name, string schedule, string respacing)
    {
        var fixture = SamplerFixture.Load(name, schedule, respacing);
        var sampler = new AncestralSampler(fixture.Schedule);
        var denoiser = fixture.Denoiser();
        var xNext = new float[fixture.ImageLength];
        var predXStart = new float[fixture.ImageLength];

        for (var k = 1; k <= fixture.Steps; k++)
        {
            var i = fixture.Steps - k;
            sampler.Step(i, fixture.ModelOutput(i), fixture.XT(k - 1), fixture.Noise(k), xNext, predXStart, denoiser);

            // x0 is bit-exact; x differs from torch by an ulp where exp does (GaussianStep.LearnedRangeStd).
            FloatAssert.Close(fixture.XT(k), xNext, 1e-6, $"{name} x after step {k} (i = {i})");
            FloatAssert.Close(fixture.PredXStart(i), predXStart, 0, $"{name} x0 at i = {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_whole_loop_stays_on_the_reference_trajectory(string name, string schedule, string respacing)
    {
        var fixture = SamplerFixture.Load(name, schedule, respacing);
        var sampler = new AncestralSampler(fixture.Schedule);
        var denoiser = fixture.Denoiser();
        var x = new float[fixture.ImageLength];
        var predXStart = new float[fixture.ImageLength];
        NoiseTemperature.Apply(fixture.Noise(0), fixture.Temperature, x);
        Assert.Equal(fixture.XT(0), x);

        for (var k = 1; k <= fixture.Steps; k++)
        {
            var i = fixture.Steps - k;
            sampler.Step(i, fixture.ModelOutput(i), x, fixture.Noise(k), x, predXStart, denoiser);

            FloatAssert.Close(fixture.XT(k), x, 1e-6, $"{name} x after step {k} (i = {i})");
        }

        Assert.All(x, v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void Inpainting_keeps_the_known_region_exactly()
    {
        // glide-spec §8.3: the final sample equals the source where the mask is 1 (measured there: diff 0).
        var fixture = SamplerFixture.Load("ancestral-linear-fast27-inpaint", "linear", "fast27");
        var sampler = new AncestralSampler(fixture.Schedule);
        var denoiser = fixture.Denoiser();
        var image = fixture.InpaintImage();
        var mask = fixture.InpaintMask();
        var x = new float[fixture.ImageLength];
        var predXStart = new float[fixture.ImageLength];
        NoiseTemperature.Apply(fixture.Noise(0), fixture.Temperature, x);

        for (var i = fixture.Steps - 1; i >= 0; i--)
        {
            sampler.Step(i, fixture.ModelOutput(i), x, fixture.Noise(fixture.Steps - i), x, predXStart, denoiser);
        }

        var known = 0;
        for (var e = 0; e < x.Length; e++)
        {
            if (mask[e % mask.Length] == 1f)
            {
                Assert.Equal(image[e], x[e]);
                known++;
            }
            else
            {
                Assert.NotEqual(image[e], x[e]);
            }
        }

        Assert.Equal(x.Length / 2, known);
    }

    [Fact]
    public void An_in_place_step_equals_a_step_into_another_buffer()
    {
        var fixture = SamplerFixture.Load("ancestral-cosine-25-cfg", "squaredcos_cap_v2", "25");
        var sampler = new AncestralSampler(fixture.Schedule);
        var output = fixture.ModelOutput(10);
        var separate = new float[fixture.ImageLength];
        var inPlace = fixture.XT(fixture.Steps - 10).ToArray();
        var predXStart = new float[fixture.ImageLength];

        sampler.Step(10, output, inPlace, fixture.Noise(fixture.Steps - 10), separate, predXStart);
        sampler.Step(10, output, inPlace, fixture.Noise(fixture.Steps - 10), inPlace, predXStart);

        Assert.Equal(separate, inPlace);
    }

    [Fact]
    public void A_step_allocates_nothing()
    {
        var fixture = SamplerFixture.Load("ancestral-linear-fast27-inpaint", "linear", "fast27");
        var sampler = new AncestralSampler(fixture.Schedule);
        var denoiser = fixture.Denoiser();
        var output = fixture.ModelOutput(5);
        var noise = fixture.Noise(3).ToArray();
        var x = fixture.XT(2).ToArray();
        var predXStart = new float[fixture.ImageLength];
        sampler.Step(5, output, x, noise, x, predXStart, denoiser);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = fixture.Steps - 1; i >= 0; i--)
        {
            sampler.Step(i, output, x, noise, x, predXStart, denoiser);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_expected_and_actual()
    {
        var sampler = new AncestralSampler(DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27"));
        var xNext = new float[2];
        var predXStart = new float[2];
        float[] output = [.. Eps, .. V];

        var index = Assert.Throws<ArgumentOutOfRangeException>(
            () => sampler.Step(27, output, X, Noise, xNext, predXStart));
        Assert.Contains("spaced index 27 out of range [0, 26]", index.Message, StringComparison.Ordinal);

        var shape = Assert.Throws<ArgumentException>(() => sampler.Step(3, Eps, X, Noise, xNext, predXStart));
        Assert.Contains("modelOutput has 2 elements; expected 2 × 2 = 4", shape.Message, StringComparison.Ordinal);

        var noise = Assert.Throws<ArgumentException>(
            () => sampler.Step(3, output, X, ReadOnlySpan<float>.Empty, xNext, predXStart));
        Assert.Contains("noise has 0 elements; expected 2", noise.Message, StringComparison.Ordinal);

        var x = X.ToArray();
        var overlap = Assert.Throws<ArgumentException>(() => sampler.Step(3, output, x, Noise, xNext, x));
        Assert.Contains("predXStart must not overlap xT", overlap.Message, StringComparison.Ordinal);

        var buffer = new float[3];
        var shifted = Assert.Throws<ArgumentException>(
            () => sampler.Step(3, output, buffer.AsSpan(0, 2), Noise, buffer.AsSpan(1, 2), predXStart));
        Assert.Contains("xNext must be xT itself or not overlap it", shifted.Message, StringComparison.Ordinal);
    }
}
