using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class DdimSamplerTests
{
    // One image [C=1, H=1, W=2]: the first element's x0 stays inside [−1, 1], the second is clamped.
    private static readonly float[] X = [0.3f, -1.2f];
    private static readonly float[] Eps = [0.29f, -0.25f];
    private static readonly float[] V = [0.2f, -0.6f];
    private static readonly float[] Noise = [0.7f, -1.1f];

    public static TheoryData<string, string, string> Fixtures() => new()
    {
        { "ddim-linear-fast27", "linear", "fast27" },
        { "ddim-cosine-10-eta", "squaredcos_cap_v2", "10" },
    };

    [Theory]
    [InlineData(0.0f)]
    [InlineData(0.5f)]
    public void A_step_matches_the_formulas_computed_by_hand(float eta)
    {
        var diffusion = DiffusionSchedule.Create(BetaSchedule.Linear, "fast27");
        const int i = 21;
        Assert.Equal(500, diffusion.TimestepMap[i]);
        Assert.Equal(400, diffusion.TimestepMap[i - 1]);
        var tab = HandTables.From(HandTables.LinearAlphaBar(500), HandTables.LinearAlphaBar(400));
        var alphaBar = (float)tab.AlphaBar;
        var alphaBarPrev = (float)tab.AlphaBarPrev;
        var sigma = eta * MathF.Sqrt((1f - alphaBarPrev) / (1f - alphaBar)) *
            MathF.Sqrt(1f - (alphaBar / alphaBarPrev));

        var expectedX0 = new float[2];
        var expected = new float[2];
        for (var e = 0; e < 2; e++)
        {
            var (_, x0) = tab.X0(X[e], Eps[e]);
            var eps = (((float)tab.SqrtRecip * X[e]) - x0) / (float)tab.SqrtRecipm1;
            expectedX0[e] = x0;
            expected[e] = (x0 * MathF.Sqrt(alphaBarPrev)) + (MathF.Sqrt(1f - alphaBarPrev - (sigma * sigma)) * eps) +
                (sigma * Noise[e]);
        }

        Assert.Equal(-1f, expectedX0[1]);
        Assert.InRange(expectedX0[0], -0.999f, 0.999f);

        var sampler = new DdimSampler(diffusion);
        var xNext = new float[2];
        var predXStart = new float[2];
        sampler.Step(i, [.. Eps, .. V], X, Noise, eta, xNext, predXStart);

        FloatAssert.AllClose(expectedX0, predXStart, rtol: 2e-6, atol: 1e-7);
        FloatAssert.AllClose(expected, xNext, rtol: 2e-6, atol: 1e-7);
        if (eta == 0f)
        {
            // With eta 0 the draw has no effect and need not be given.
            var withoutNoise = new float[2];
            sampler.Step(i, [.. Eps, .. V], X, ReadOnlySpan<float>.Empty, eta, withoutNoise, predXStart);
            Assert.Equal(xNext, withoutNoise);
        }
    }

    [Fact]
    public void The_last_step_returns_the_clamped_x0_even_with_eta()
    {
        var sampler = new DdimSampler(DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, "27"));
        var xNext = new float[2];
        var predXStart = new float[2];

        sampler.Step(0, [.. Eps, .. V], X, ReadOnlySpan<float>.Empty, 0.5f, xNext, predXStart);

        Assert.Equal(predXStart, xNext);
        Assert.Equal(-1f, xNext[1]);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_step_reproduces_the_reference_from_its_recorded_input(
        string name, string schedule, string respacing)
    {
        var fixture = SamplerFixture.Load(name, schedule, respacing);
        var sampler = new DdimSampler(fixture.Schedule);
        var xNext = new float[fixture.ImageLength];
        var predXStart = new float[fixture.ImageLength];

        for (var k = 1; k <= fixture.Steps; k++)
        {
            var i = fixture.Steps - k;
            ReadOnlySpan<float> noise = fixture.HasStepNoise ? fixture.Noise(k) : [];
            sampler.Step(i, fixture.ModelOutput(i), fixture.XT(k - 1), noise, fixture.Eta, xNext, predXStart);

            // A DDIM step has no exp, and torch's float32 add, mul, div and sqrt are correctly rounded on every CPU:
            // the port is bit-exact, not just within 1e-6.
            FloatAssert.Close(fixture.XT(k), xNext, 0, $"{name} x after step {k} (i = {i})");
            FloatAssert.Close(fixture.PredXStart(i), predXStart, 0, $"{name} x0 at i = {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_whole_loop_stays_on_the_reference_trajectory(string name, string schedule, string respacing)
    {
        var fixture = SamplerFixture.Load(name, schedule, respacing);
        var sampler = new DdimSampler(fixture.Schedule);
        var x = new float[fixture.ImageLength];
        var predXStart = new float[fixture.ImageLength];
        NoiseTemperature.Apply(fixture.Noise(0), fixture.Temperature, x);
        Assert.Equal(fixture.XT(0), x);
        Assert.Equal(fixture.HasStepNoise, DdimSampler.NeedsStepNoise(fixture.Eta));

        for (var k = 1; k <= fixture.Steps; k++)
        {
            var i = fixture.Steps - k;
            ReadOnlySpan<float> noise = fixture.HasStepNoise ? fixture.Noise(k) : [];
            sampler.Step(i, fixture.ModelOutput(i), x, noise, fixture.Eta, x, predXStart);

            FloatAssert.Close(fixture.XT(k), x, 0, $"{name} x after step {k} (i = {i})");
        }

        Assert.All(x, v => Assert.InRange(v, -1f, 1f));
    }

    [Fact]
    public void A_step_allocates_nothing()
    {
        var fixture = SamplerFixture.Load("ddim-cosine-10-eta", "squaredcos_cap_v2", "10");
        var sampler = new DdimSampler(fixture.Schedule);
        var output = fixture.ModelOutput(5);
        var noise = fixture.Noise(3).ToArray();
        var x = fixture.XT(2).ToArray();
        var predXStart = new float[fixture.ImageLength];
        sampler.Step(5, output, x, noise, 0.5f, x, predXStart);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = fixture.Steps - 1; i >= 0; i--)
        {
            sampler.Step(i, output, x, noise, 0.5f, x, predXStart);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Eta_must_be_a_finite_non_negative_number(float eta)
    {
        var sampler = new DdimSampler(DiffusionSchedule.Create(BetaSchedule.Linear, "fast27"));
        var xNext = new float[2];
        var predXStart = new float[2];

        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => sampler.Step(3, [.. Eps, .. V], X, Noise, eta, xNext, predXStart));

        Assert.Contains("DDIM eta must be a finite number ≥ 0", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => DdimSampler.NeedsStepNoise(eta));
    }

    [Fact]
    public void Eta_above_zero_needs_the_draw_except_at_the_last_step()
    {
        var sampler = new DdimSampler(DiffusionSchedule.Create(BetaSchedule.Linear, "fast27"));
        var xNext = new float[2];
        var predXStart = new float[2];

        var error = Assert.Throws<ArgumentException>(
            () => sampler.Step(3, [.. Eps, .. V], X, ReadOnlySpan<float>.Empty, 0.5f, xNext, predXStart));

        Assert.Contains("noise has 0 elements; expected 2", error.Message, StringComparison.Ordinal);
        Assert.False(DdimSampler.NeedsStepNoise(0f));
        Assert.True(DdimSampler.NeedsStepNoise(0.5f));
    }
}
