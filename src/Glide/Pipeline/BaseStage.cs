using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;

namespace Glide.Pipeline;

/// <summary>
/// The 64×64 base stage: classifier-free guided ancestral sampling (glide-spec §8.1, §7.3, §7.4).
/// Port of the text2im notebook's base loop (glide_text2im p_sample_loop with the CFG model_fn).
/// </summary>
public static class BaseStage
{
    /// <summary>Samples one image per noise-source image; returns [N, 3, S, S] in [−1, 1].</summary>
    /// <param name="unet">The base UNet (or base-inpaint with <paramref name="extras"/>).</param>
    /// <param name="text">Row 0 conditional, row 1 unconditional (see <see cref="PromptEncoding.Base"/>).</param>
    /// <param name="noise">Per-image noise: draw 0 is x_T, draw k the k-th step's.</param>
    /// <param name="guidanceScales">One scale per image.</param>
    /// <param name="schedule">The respaced cosine schedule ("100" in the notebook).</param>
    /// <param name="progress">Reported after every step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="extras">Per-image inputs of a variant graph, laid out for the 2N-row model batch.</param>
    /// <param name="denoisers">Optional per-image x0 rewrite (inpainting).</param>
    /// <param name="observer">Optional: sees x_T and every x_t.</param>
    public static float[] Run(
        UNetGraph unet,
        TextConditioning text,
        INoiseSource noise,
        IReadOnlyList<float> guidanceScales,
        DiffusionSchedule schedule,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default,
        UNetExtras? extras = null,
        IReadOnlyList<IDenoiser?>? denoisers = null,
        StepObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(guidanceScales);
        ArgumentNullException.ThrowIfNull(schedule);
        var n = noise.ImageCount;
        if (guidanceScales.Count != n)
        {
            throw new ArgumentException($"expected {n} guidance scales (one per image), got {guidanceScales.Count}", nameof(guidanceScales));
        }

        foreach (var scale in guidanceScales)
        {
            ClassifierFreeGuidance.ValidateScale(scale);
        }

        if (text.Batch != 2)
        {
            throw new ArgumentException($"expected 2 text rows (conditional, unconditional), got {text.Batch}", nameof(text));
        }

        var image = unet.InputRowLength;   // 3·S·S
        var output = unet.OutputRowLength; // 6·S·S
        var rows = text.ForGuidance(n);    // [2N] rows: N conditional, then N unconditional
        var x = new float[n * image];      // [N, 3, S, S]: only the N image rows are kept (glide-spec §8.1)
        var modelInput = new float[2 * n * image];
        var timesteps = new long[2 * n];
        var modelOutput = new float[2 * n * output];
        var guided = new float[output];
        var stepNoise = new float[image];
        var predXStart = new float[image];
        var sampler = new AncestralSampler(schedule);
        for (var b = 0; b < n; b++)
        {
            noise.Fill(b, 0, x.AsSpan(b * image, image));
        }

        SamplingLoop.Run(
            StageNames.Base,
            schedule.Steps,
            x,
            (k, i) =>
            {
                // 1. The model sees [x; x] with the mapped original timestep (glide-spec §8.1 model_fn, §7.3).
                x.CopyTo(modelInput, 0);
                x.CopyTo(modelInput, n * image);
                Array.Fill(timesteps, schedule.TimestepMap[i]);
                unet.Run(modelInput, timesteps, rows, extras, modelOutput); // [2N, 6, S, S]

                for (var b = 0; b < n; b++)
                {
                    // 2. Guided eps from the conditional and unconditional rows; the conditional row's variance.
                    ClassifierFreeGuidance.Combine(
                        modelOutput.AsSpan(b * output, output), modelOutput.AsSpan((n + b) * output, output),
                        guidanceScales[b], guided);

                    // 3. One ancestral step with this image's own k-th draw (none is needed at i = 0).
                    if (i != 0)
                    {
                        noise.Fill(b, k, stepNoise);
                    }

                    var row = x.AsSpan(b * image, image);
                    sampler.Step(i, guided, row, stepNoise, row, predXStart, denoisers?[b]);
                }
            },
            progress,
            cancellationToken,
            observer);

        return x;
    }
}
