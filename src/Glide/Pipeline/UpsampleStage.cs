using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;

namespace Glide.Pipeline;

/// <summary>
/// The 64→256 upsampler stage: DDIM (eta 0) on the quantized base output, initial noise × temperature
/// (glide-spec §8.2, §7.5). Port of the text2im notebook's upsampling loop (ddim_sample_loop).
/// </summary>
public static class UpsampleStage
{
    /// <summary>Upsamples [N, 3, 64, 64] base images to [N, 3, S, S] in [−1, 1].</summary>
    /// <param name="unet">The upsampler UNet (takes low_res).</param>
    /// <param name="text">One conditional row of the upsampler's text encoder, used for every image.</param>
    /// <param name="baseImages">[N, 3, 64, 64] base samples in [−1, 1]; quantized here.</param>
    /// <param name="noise">Per-image noise; only draw 0 (x_T) is used.</param>
    /// <param name="schedule">The respaced linear schedule ("fast27" in the notebook).</param>
    /// <param name="temperature">Multiplies x_T only.</param>
    /// <param name="progress">Reported after every step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="observer">Optional: sees x_T and every x_t.</param>
    public static float[] Run(
        UNetGraph unet,
        TextConditioning text,
        ReadOnlySpan<float> baseImages,
        INoiseSource noise,
        DiffusionSchedule schedule,
        float temperature = NoiseTemperature.Upsample,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default,
        StepObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(schedule);
        if (!unet.HasLowRes)
        {
            throw new ArgumentException($"{unet.Name} takes no low_res input: not an upsampler", nameof(unet));
        }

        var n = noise.ImageCount;
        var lowResLength = 3 * unet.LowResSize * unet.LowResSize;
        if (baseImages.Length != n * lowResLength)
        {
            throw new ArgumentException(
                $"expected {n} base images of [3, {unet.LowResSize}, {unet.LowResSize}] ({n * lowResLength} values), " +
                $"got {baseImages.Length}", nameof(baseImages));
        }

        // 1. low_res: the base output quantized to 8-bit levels, before the graph's bilinear resize (§8.2, §11.15).
        var lowRes = new float[baseImages.Length];
        LowResQuantizer.Quantize(baseImages, lowRes);
        var extras = new UNetExtras { LowRes = lowRes };
        var rows = text.Batch == n ? text : text.Repeat(0, n);

        var image = unet.InputRowLength;
        var output = unet.OutputRowLength;
        var x = new float[n * image];
        var modelOutput = new float[n * output];
        var timesteps = new long[n];
        var predXStart = new float[image];
        var sampler = new DdimSampler(schedule);
        var draw = new float[image];
        for (var b = 0; b < n; b++)
        {
            // 2. x_T = noise · temperature (only the initial noise is scaled).
            noise.Fill(b, 0, draw);
            NoiseTemperature.Apply(draw, temperature, x.AsSpan(b * image, image));
        }

        var steps = schedule.Steps;
        observer?.Invoke(0, x);
        progress?.Report(new StageProgress(StageNames.Upsample, 0, steps));
        for (var k = 1; k <= steps; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var i = steps - k;
            Array.Fill(timesteps, schedule.TimestepMap[i]);
            unet.Run(x, timesteps, rows, extras, modelOutput); // [N, 6, S, S]
            for (var b = 0; b < n; b++)
            {
                // 3. DDIM with eta 0: deterministic, so no per-step draw is taken.
                var row = x.AsSpan(b * image, image);
                sampler.Step(i, modelOutput.AsSpan(b * output, output), row, [], 0f, row, predXStart);
            }

            observer?.Invoke(k, x);
            progress?.Report(new StageProgress(StageNames.Upsample, k, steps));
        }

        return x;
    }
}
