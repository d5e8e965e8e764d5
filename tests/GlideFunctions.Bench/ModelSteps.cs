using System.Diagnostics;
using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;

namespace GlideFunctions.Bench;

/// <summary>The median seconds of one UNet evaluation of <paramref name="Graph"/> at <paramref name="Batch"/> rows.</summary>
internal sealed record StepTiming(string Graph, int Batch, double Seconds, int Runs);

/// <summary>
/// Model time alone: one UNet evaluation on the shapes the stages use (as <c>glide bench</c> times it), no sampler,
/// no storage. The base at batch 2n (n CFG images), the upsampler at batch n.
/// </summary>
internal static class ModelSteps
{
    private const int MinRuns = 5;
    private const int MaxRuns = 200;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    /// <summary>Respaced step count of a base respacing (squaredcos_cap_v2, as the base stage schedules it).</summary>
    public static int BaseSteps(string respacing) =>
        DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, respacing).Steps;

    /// <summary>Respaced step count of an upsampler respacing (linear schedule).</summary>
    public static int UpsampleSteps(string respacing) => DiffusionSchedule.Create(BetaSchedule.Linear, respacing).Steps;

    /// <summary>One base step for <paramref name="images"/> CFG images (batch 2·images).</summary>
    public static StepTiming Base(GlideModelSet models, int images)
    {
        var unet = models.BaseUNet ?? throw new InvalidOperationException("the model directory has no base.unet graph");
        var encoder = models.BaseText ?? throw new InvalidOperationException("the model directory has no base.text graph");
        var context = encoder.ContextLength;
        var text = encoder.Encode(new long[2 * context], new bool[2 * context], 2).ForGuidance(images);
        var batch = 2 * images;
        var x = Noise(batch * unet.InputRowLength);
        var output = new float[batch * unet.OutputRowLength];
        var timesteps = Enumerable.Repeat(500L, batch).ToArray();
        return new StepTiming(unet.Name, batch, Time(() => unet.Run(x, timesteps, text, null, output), out var runs), runs);
    }

    /// <summary>One upsampler step for <paramref name="images"/> images (batch = images).</summary>
    public static StepTiming Upsample(GlideModelSet models, int images)
    {
        var unet = models.UpsampleUNet
            ?? throw new InvalidOperationException("the model directory has no upsample.unet graph");
        var encoder = models.UpsampleText
            ?? throw new InvalidOperationException("the model directory has no upsample.text graph");
        var context = encoder.ContextLength;
        var text = encoder.Encode(new long[context], new bool[context], 1).Repeat(0, images);
        var x = Noise(images * unet.InputRowLength);
        var extras = new UNetExtras { LowRes = new float[images * 3 * unet.LowResSize * unet.LowResSize] };
        var output = new float[images * unet.OutputRowLength];
        var timesteps = Enumerable.Repeat(500L, images).ToArray();
        return new StepTiming(unet.Name, images, Time(() => unet.Run(x, timesteps, text, extras, output), out var runs), runs);
    }

    private static float[] Noise(int length)
    {
        var values = new float[length];
        new PhiloxNoiseSource([0]).Fill(0, 0, values);
        return values;
    }

    /// <summary>Median of at least <see cref="MinRuns"/> runs after one warm-up, more while within <see cref="Budget"/>.</summary>
    private static double Time(Action step, out int runs)
    {
        step();
        var seconds = new List<double>();
        var total = Stopwatch.StartNew();
        while (seconds.Count < MinRuns || (total.Elapsed < Budget && seconds.Count < MaxRuns))
        {
            var start = Stopwatch.GetTimestamp();
            step();
            seconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        runs = seconds.Count;
        return Stats.Median(seconds);
    }
}
