using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;

namespace Glide.Pipeline;

/// <summary>
/// The 64→256 upsampler stage: DDIM (eta 0) on the quantized base output, initial noise × temperature
/// (glide-spec §8.2, §7.5). Port of the text2im notebook's upsampling loop (ddim_sample_loop); with
/// <see cref="SamplerKind.Ancestral"/>, the reference's p_sample_loop instead, each step adding its own draw.
/// </summary>
public static class UpsampleStage
{
    /// <summary>Upsamples [N, 3, 64, 64] base images to [N, 3, S, S] in [−1, 1].</summary>
    /// <param name="unet">The upsampler UNet (takes low_res).</param>
    /// <param name="text">One conditional row of the upsampler's text encoder, used for every image.</param>
    /// <param name="baseImages">[N, 3, 64, 64] base samples in [−1, 1]; quantized here.</param>
    /// <param name="noise">Per-image noise: draw 0 (x_T), and with ancestral steps draw k at the k-th step.</param>
    /// <param name="schedule">The respaced linear schedule ("fast27" in the notebook).</param>
    /// <param name="temperature">Multiplies x_T only.</param>
    /// <param name="progress">Reported after every step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="observer">Optional: sees x_T and every x_t.</param>
    /// <param name="sampler">DDIM with eta 0 (the notebook's) or ancestral steps (<see cref="SamplingDefaults"/>).
    /// </param>
    public static float[] Run(
        UNetGraph unet,
        TextConditioning text,
        ReadOnlySpan<float> baseImages,
        INoiseSource noise,
        DiffusionSchedule schedule,
        float temperature = NoiseTemperature.Upsample,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default,
        StepObserver? observer = null,
        SamplerKind sampler = SamplerKind.Ddim)
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

        // 1. low_res: the base output quantized to 8-bit levels (§8.2, §11.15).
        var extras = new UNetExtras { LowRes = UpsamplerLoop.LowRes(baseImages) };
        UpsamplerLoop.ImageStep step;
        switch (sampler)
        {
            case SamplerKind.Ddim:
                // 2. x_T = noise · temperature (in the loop). 3. Per image DDIM with eta 0: deterministic, so no draw
                // is taken.
                var ddim = new DdimSampler(schedule);
                var predXStart = new float[unet.InputRowLength];
                step = (_, _, i, modelOutput, x) => ddim.Step(i, modelOutput, x, [], 0f, x, predXStart);
                break;
            case SamplerKind.Ancestral:
                // 3. Per image one ancestral step with the image's k-th draw (none at i = 0).
                step = UpsamplerLoop.AncestralStep(schedule, noise, unet.InputRowLength);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(sampler), sampler, "unknown sampler kind");
        }

        return UpsamplerLoop.Run(
            unet, text, extras, noise, schedule, temperature, step,
            progress, cancellationToken, observer);
    }
}
