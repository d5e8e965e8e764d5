using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;

namespace Glide.Pipeline;

/// <summary>
/// The two stages of inpainting (glide-spec §8.3), each callable on its own so a distributed pipeline can run them
/// apart from stored tensors and get the same images as <see cref="InpaintCascade"/>:
/// <list type="bullet">
/// <item><see cref="RunBase"/>: base-inpaint, classifier-free guided ancestral sampling at 64×64;</item>
/// <item><see cref="RunUpsample"/>: upsample-inpaint, <b>ancestral</b> (not DDIM) sampling at 256×256 on the
/// quantized base output, initial noise × temperature, no guidance.</item>
/// </list>
/// Both feed the graph the source image and mask at its size and re-mask the predicted x0 before the clamp at
/// every step (<see cref="InpaintDenoiser"/>); x_t itself is never overwritten. So the final sample equals the
/// source exactly where the mask keeps it.
/// </summary>
public static class InpaintStages
{
    /// <summary>Samples one 64×64 image per noise-source image; returns [N, 3, 64, 64] in [−1, 1].</summary>
    /// <param name="unet">The base-inpaint UNet.</param>
    /// <param name="text">base-inpaint.text rows: row 0 conditional, row 1 unconditional
    /// (<see cref="PromptEncoding.Base"/> of <see cref="PromptEncoder.Encode"/> on the inpaint text graphs).</param>
    /// <param name="inputs">The source and mask.</param>
    /// <param name="noise">Per-image noise: draw 0 is x_T, draw k the k-th step's.</param>
    /// <param name="guidanceScales">One classifier-free guidance scale per image (the notebook: 5.0).</param>
    /// <param name="schedule">The respaced cosine schedule ("100" in the notebook).</param>
    /// <param name="progress">Reported after every step, as stage <see cref="StageNames.Base"/>.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="observer">Optional: sees x_T and every x_t.</param>
    public static float[] RunBase(
        UNetGraph unet,
        TextConditioning text,
        InpaintInputs inputs,
        INoiseSource noise,
        IReadOnlyList<float> guidanceScales,
        DiffusionSchedule schedule,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default,
        StepObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(noise);
        RequireVariant(unet, lowRes: false, InpaintInputs.BaseSize);

        // The model batch is [N conditional; N unconditional]: the source and mask repeated on all 2N rows.
        var rows = 2 * noise.ImageCount;
        var extras = new UNetExtras
        {
            InpaintImage = Repeat(inputs.Image64, rows),
            InpaintMask = Repeat(inputs.Mask64, rows),
        };
        var denoiser = new InpaintDenoiser(inputs.Image64, inputs.Mask64);
        var denoisers = Enumerable.Repeat<IDenoiser?>(denoiser, noise.ImageCount).ToArray();
        return BaseStage.Run(
            unet, text, noise, guidanceScales, schedule, progress, cancellationToken, extras, denoisers, observer);
    }

    /// <summary>Upsamples [N, 3, 64, 64] base samples to [N, 3, 256, 256] in [−1, 1].</summary>
    /// <param name="unet">The upsample-inpaint UNet.</param>
    /// <param name="text">One conditional row of upsample-inpaint.text, used for every image.</param>
    /// <param name="baseImages">[N, 3, 64, 64] base samples in [−1, 1] (<see cref="RunBase"/>); quantized here.</param>
    /// <param name="inputs">The source and mask (the same as the base stage's).</param>
    /// <param name="noise">Per-image noise: draw 0 is x_T (times the temperature), draw k the k-th step's.</param>
    /// <param name="schedule">The respaced linear schedule ("fast27" in the notebook).</param>
    /// <param name="temperature">Multiplies x_T only.</param>
    /// <param name="progress">Reported after every step, as stage <see cref="StageNames.Upsample"/>.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="observer">Optional: sees x_T and every x_t.</param>
    public static float[] RunUpsample(
        UNetGraph unet,
        TextConditioning text,
        ReadOnlySpan<float> baseImages,
        InpaintInputs inputs,
        INoiseSource noise,
        DiffusionSchedule schedule,
        float temperature = NoiseTemperature.Upsample,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default,
        StepObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(schedule);
        RequireVariant(unet, lowRes: true, InpaintInputs.UpsampleSize);
        var n = noise.ImageCount;
        var lowResLength = 3 * unet.LowResSize * unet.LowResSize;
        if (unet.LowResSize != InpaintInputs.BaseSize || baseImages.Length != n * lowResLength)
        {
            throw new ArgumentException(
                $"expected {n} base images of [3, {InpaintInputs.BaseSize}, {InpaintInputs.BaseSize}] " +
                $"({n * 3 * InpaintInputs.BaseSize * InpaintInputs.BaseSize} values) for {unet.Name} " +
                $"(low_res {unet.LowResSize}×{unet.LowResSize}), got {baseImages.Length}",
                nameof(baseImages));
        }

        // 1. low_res: the base output quantized to 8-bit levels (§8.2, §11.15); the source and mask on every row.
        var extras = new UNetExtras
        {
            LowRes = UpsamplerLoop.LowRes(baseImages),
            InpaintImage = Repeat(inputs.Image256, n),
            InpaintMask = Repeat(inputs.Mask256, n),
        };
        var denoiser = new InpaintDenoiser(inputs.Image256, inputs.Mask256);

        // 2. x_T = noise · temperature (in the loop). 3. One ancestral step with this image's k-th draw (none at
        // i = 0), x0 re-masked before the clamp.
        return UpsamplerLoop.Run(
            unet, text, extras, noise, schedule, temperature,
            UpsamplerLoop.AncestralStep(schedule, noise, unet.InputRowLength, denoiser),
            progress, cancellationToken, observer);
    }

    private static void RequireVariant(UNetGraph unet, bool lowRes, int size)
    {
        if (!unet.HasInpaint || unet.HasLowRes != lowRes)
        {
            var expected = lowRes ? "an upsample-inpaint UNet (low_res, inpaint_image, inpaint_mask)" : "a base-inpaint UNet (inpaint_image, inpaint_mask)";
            throw new ArgumentException($"{unet.Name} is not {expected}", nameof(unet));
        }

        if (unet.ImageSize != size)
        {
            throw new ArgumentException($"{unet.Name} works at {unet.ImageSize}×{unet.ImageSize}; inpainting inputs are {size}×{size}", nameof(unet));
        }
    }

    private static float[] Repeat(ReadOnlySpan<float> row, int count)
    {
        var result = new float[row.Length * count];
        for (var r = 0; r < count; r++)
        {
            row.CopyTo(result.AsSpan(r * row.Length));
        }

        return result;
    }
}
