using Glide.Diffusion;
using Glide.Imaging;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Tests.Models.Runtime;

namespace Glide.Tests.Pipeline;

/// <summary>
/// The C# stages on the tiny models, fed the reference noise, reproduce the PyTorch reference sampler's runs step
/// by step (tests/fixtures/trajectories): every x_t within 1e-4 on the stored grid, the final samples within 1e-4
/// (the upsampler's: see below), the final 8-bit images within one level.
/// </summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class TrajectoryTests(TinyModelSetFixture fixture)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("base-100", "100")]
    [InlineData("base-25", "25")]
    public void BaseStageFollowsTheReferenceTrajectory(string name, string respacing)
    {
        var reference = ReferenceTrajectory.Load(name);
        var unet = fixture.Set.BaseUNet!;
        var text = fixture.Set.BaseText!.Encode(
            reference.Archive["tokens"].AsInt64(), reference.Archive["mask"].AsBoolean(), 2);
        var schedule = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, respacing);
        Assert.Equal(reference.Archive["timesteps"].AsInt64(), schedule.TimestepMap.ToArray().Select(t => (long)t));
        var scale = reference.Archive["guidance_scale"].AsSingle()[0];

        var worst = new double[schedule.Steps + 1];
        var final = BaseStage.Run(
            unet, text, new NpyNoiseSource(reference.NoisePath), [scale], schedule,
            observer: (step, x) => worst[step] = reference.GridError(step, x, unet.ImageSize));

        Assert.All(worst, (error, step) => Assert.True(error <= Tolerance, $"x_t at step {step}: error {error:G3}"));
        AssertFinal(reference, final, unet.ImageSize, Tolerance);
    }

    [Fact]
    public void UpsampleStageFollowsTheReferenceTrajectory()
    {
        var reference = ReferenceTrajectory.Load("upsample-fast27");
        var unet = fixture.Set.UpsampleUNet!;
        var text = fixture.Set.UpsampleText!.Encode(
            reference.Archive["tokens"].AsInt64(), reference.Archive["mask"].AsBoolean(), 1);
        var schedule = DiffusionSchedule.Create(BetaSchedule.Linear, "fast27");
        var temperature = reference.Archive["temperature"].AsSingle()[0];

        // The upsampler's input is the base-100 reference output; the stage quantizes it itself.
        var baseFinal = ReferenceTrajectory.Load("base-100").Archive["final"].AsSingle();
        var lowRes = new float[baseFinal.Length];
        LowResQuantizer.Quantize(baseFinal, lowRes);
        Assert.Equal(reference.Archive["low_res"].AsSingle(), lowRes);

        var worst = new double[schedule.Steps + 1];
        var final = UpsampleStage.Run(
            unet, text, baseFinal, new NpyNoiseSource(reference.NoisePath), schedule, temperature,
            observer: (step, x) => worst[step] = reference.GridError(step, x, unet.ImageSize));

        Assert.All(worst, (error, step) => Assert.True(error <= Tolerance, $"x_t at step {step}: error {error:G3}"));

        // ONNX Runtime's and PyTorch's kernels differ by ~1e-5 in the UNet output (scale ~4 for the random tiny
        // upsampler); early DDIM steps divide eps by √ᾱ ≈ 0.006, so a handful of the 196,608 final values drift up
        // to a few 1e-4 while every grid point stays within 1e-4. Measured: 15 values over 1e-4, max 2.6e-4.
        AssertFinal(reference, final, unet.ImageSize, 5e-4, maxShareOverTolerance: 1e-3);
    }

    private static void AssertFinal(
        ReferenceTrajectory reference, float[] final, int size, double maxError, double maxShareOverTolerance = 0)
    {
        var expected = reference.Archive["final"].AsSingle();
        Assert.Equal(expected.Length, final.Length);
        var errors = expected.Zip(final, (e, a) => Math.Abs(e - a)).ToArray();
        var worst = errors.Max();
        var at = Array.IndexOf(errors, worst);
        var over = errors.Count(e => e > Tolerance);
        var detail = $"final sample: max error {worst:G3} at flat index {at} (expected {expected[at]}, got {final[at]}); " +
            $"{over} of {errors.Length} values over {Tolerance}";
        Assert.True(worst <= maxError, detail);
        Assert.True(over <= maxShareOverTolerance * errors.Length, detail);

        var expectedRgb = ImageQuantizer.ToRgb24(expected, size, size);
        var actualRgb = ImageQuantizer.ToRgb24(final, size, size);
        var levels = expectedRgb.Zip(actualRgb, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(levels <= 1, $"final image differs by {levels} levels");
    }
}
