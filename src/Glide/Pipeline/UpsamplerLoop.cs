using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;

namespace Glide.Pipeline;

/// <summary>
/// The loop both upsamplers run (glide-spec §8.2, §8.3): x_T = draw 0 × temperature, then at every step the UNet on
/// all N images with one conditional text row each, and one sampler step per image. The stage states the sampler
/// (DDIM eta 0 or <see cref="AncestralStep"/> for text2im, <see cref="AncestralStep"/> for inpainting) and the graph's
/// extra inputs.
/// </summary>
/// <remarks>
/// Port of the notebooks' upsampling loops (glide_text2im <c>ddim_sample_loop</c> and <c>p_sample_loop</c> on the
/// upsampler with <c>noise=x_T·upsample_temp</c>).
/// </remarks>
internal static class UpsamplerLoop
{
    /// <summary>One sampler step of image <paramref name="b"/>, in place on its row of x.</summary>
    /// <param name="b">The image, 0 … N−1: its noise source index.</param>
    /// <param name="k">The loop step, 1 … S: the index of this step's noise draw.</param>
    /// <param name="i">The spaced index, S−1 … 0.</param>
    /// <param name="modelOutput">The image's model output, [6, S, S]: eps ‖ v.</param>
    /// <param name="x">The image's x_t, [3, S, S], to be replaced by x_{t−1}.</param>
    public delegate void ImageStep(int b, int k, int i, ReadOnlySpan<float> modelOutput, Span<float> x);

    /// <summary>
    /// One ancestral step per image (glide-spec §7.4): the image's k-th draw added (none at spaced index 0), x0
    /// rewritten by <paramref name="denoised"/> before the clamp when given (inpainting, §8.3).
    /// </summary>
    /// <param name="schedule">The respaced schedule the loop runs.</param>
    /// <param name="noise">Per-image noise: draw k is the k-th step's.</param>
    /// <param name="rowLength">Values of one image, 3·S·S.</param>
    /// <param name="denoised">Optional x0 rewrite.</param>
    public static ImageStep AncestralStep(
        DiffusionSchedule schedule, INoiseSource noise, int rowLength, IDenoiser? denoised = null)
    {
        var sampler = new AncestralSampler(schedule);
        var stepNoise = new float[rowLength];
        var predXStart = new float[rowLength];
        return (b, k, i, modelOutput, x) =>
        {
            if (i != 0)
            {
                noise.Fill(b, k, stepNoise);
            }

            sampler.Step(i, modelOutput, x, stepNoise, x, predXStart, denoised);
        };
    }

    /// <summary>The low_res input: the base output quantized to 8-bit levels, before the graph's bilinear resize
    /// (§8.2, §11.15).</summary>
    /// <param name="baseImages">[N, 3, 64, 64] base samples in [−1, 1].</param>
    public static float[] LowRes(ReadOnlySpan<float> baseImages)
    {
        var lowRes = new float[baseImages.Length];
        LowResQuantizer.Quantize(baseImages, lowRes);
        return lowRes;
    }

    /// <summary>Runs the loop; returns [N, 3, S, S].</summary>
    /// <param name="unet">An upsampler UNet.</param>
    /// <param name="text">One conditional row, used for every image (or already one per image).</param>
    /// <param name="extras">The graph's other inputs for the N-row batch: <see cref="LowRes"/>, and for inpainting
    /// the source and mask.</param>
    /// <param name="noise">Per-image noise: draw 0 is x_T (times the temperature).</param>
    /// <param name="schedule">The respaced linear schedule.</param>
    /// <param name="temperature">Multiplies x_T only.</param>
    /// <param name="step">The stage's sampler step.</param>
    /// <param name="progress">Reported after every step, as stage <see cref="StageNames.Upsample"/>.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="observer">Optional: sees x_T and every x_t.</param>
    public static float[] Run(
        UNetGraph unet,
        TextConditioning text,
        UNetExtras extras,
        INoiseSource noise,
        DiffusionSchedule schedule,
        float temperature,
        ImageStep step,
        IProgress<StageProgress>? progress,
        CancellationToken cancellationToken,
        StepObserver? observer)
    {
        var n = noise.ImageCount;
        var rows = text.Batch == n ? text : text.Repeat(0, n);
        var image = unet.InputRowLength;
        var output = unet.OutputRowLength;
        var x = new float[n * image];
        var modelOutput = new float[n * output];
        var timesteps = new long[n];
        var draw = new float[image];
        for (var b = 0; b < n; b++)
        {
            // x_T = noise · temperature (only the initial noise is scaled).
            noise.Fill(b, 0, draw);
            NoiseTemperature.Apply(draw, temperature, x.AsSpan(b * image, image));
        }

        SamplingLoop.Run(
            StageNames.Upsample,
            schedule.Steps,
            x,
            (k, i) =>
            {
                Array.Fill(timesteps, schedule.TimestepMap[i]);
                unet.Run(x, timesteps, rows, extras, modelOutput); // [N, 6, S, S]
                for (var b = 0; b < n; b++)
                {
                    step(b, k, i, modelOutput.AsSpan(b * output, output), x.AsSpan(b * image, image));
                }
            },
            progress,
            cancellationToken,
            observer);
        return x;
    }
}
