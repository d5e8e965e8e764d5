using Glide.Diffusion;
using Glide.Models;
using Glide.Noise;
using Glide.Tokenization;

namespace Glide.Pipeline;

/// <summary>
/// The 64×64 base stage with CLIP guidance instead of classifier-free guidance (glide-spec §8.4, §7.6): the base
/// UNet on the prompt's conditional row only, and at every ancestral step the mean shifted by σ²·s·∇ₓ(100·z_i·z_t),
/// the gradient of the noised CLIP's similarity between x_t and the prompt (<see cref="ClipGradientGraph"/>).
/// Port of the CLIP-guided notebook's base loop (glide_text2im p_sample_loop with <c>clip_model.cond_fn</c>).
/// The upsampler then runs as usual (<see cref="UpsampleStage"/>, no guidance).
/// </summary>
public static class ClipGuidedBaseStage
{
    /// <summary>The CLIP-guided notebook's gradient scale (its "guidance_scale", reused, glide-spec §8.4).</summary>
    public const float DefaultGradientScale = 3f;

    /// <summary>The prompt's CLIP text embedding z_t [E], L2-normalised: computed once per prompt (§8.4 step 1).</summary>
    public static float[] EncodePrompt(ClipTextGraph text, ClipTokenizer tokenizer, string prompt)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(prompt);
        var (tokens, length) = ClipTokenizer.PadAndLength(tokenizer.Encode(prompt));
        return text.Encode(tokens, [length]);
    }

    /// <summary>
    /// The graphs CLIP guidance needs from a model set.
    /// </summary>
    /// <exception cref="ModelManifestException">The set has no (loaded) base model or no clip.text/clip.grad graphs;
    /// the message says how to get them.</exception>
    public static (UNetGraph BaseUNet, ClipTextGraph ClipText, ClipGradientGraph ClipGradient) Graphs(GlideModelSet models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var path = models.Manifest.ManifestPath;
        var unet = models.BaseUNet ?? throw new ModelManifestException(
            path, "base.unet", "graphs", "the model directory has no base.unet graph (or it was not loaded), which CLIP-guided sampling needs");
        if (models.ClipText is not { } text || models.ClipGradient is not { } gradient)
        {
            var missing = models.ClipText is null ? "clip.text and clip.grad graphs" : "clip.grad graph";
            throw new ModelManifestException(
                path, models.ClipText is null ? "clip.text" : "clip.grad", "graphs",
                $"the model directory has no {missing} (or the clip model was not loaded), which CLIP-guided sampling " +
                "needs; export the clip model with the rest (src/export: --models …,clip; clip.grad comes with it)");
        }

        return (unet, text, gradient);
    }

    /// <summary>Samples one image per noise-source image; returns [N, 3, S, S].</summary>
    /// <param name="unet">The plain base UNet (no inpainting or low-res inputs).</param>
    /// <param name="text">Base text conditioning whose row 0 is the prompt's (other rows, such as the unconditional
    /// one of <see cref="PromptEncoding.Base"/>, are not used: no classifier-free guidance here).</param>
    /// <param name="clip">The CLIP-guidance gradient graph.</param>
    /// <param name="textEmbedding">z_t [E] from <see cref="EncodePrompt"/>.</param>
    /// <param name="noise">Per-image noise: draw 0 is x_T, draw k the k-th step's.</param>
    /// <param name="gradientScales">One CLIP gradient scale per image (3.0 in the notebook).</param>
    /// <param name="schedule">The respaced cosine schedule ("100" in the notebook).</param>
    /// <param name="progress">Reported after every step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="observer">Optional: sees x_T and every x_t.</param>
    /// <remarks>
    /// The final sample is x0 plus the last step's shift, so it can leave [−1, 1] by that much, as in the reference
    /// (the upsampler's quantization and the 8-bit conversion absorb it).
    /// </remarks>
    public static float[] Run(
        UNetGraph unet,
        TextConditioning text,
        ClipGradientGraph clip,
        ReadOnlySpan<float> textEmbedding,
        INoiseSource noise,
        IReadOnlyList<float> gradientScales,
        DiffusionSchedule schedule,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default,
        StepObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(clip);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(gradientScales);
        ArgumentNullException.ThrowIfNull(schedule);
        if (unet.HasLowRes || unet.HasInpaint)
        {
            throw new ArgumentException($"{unet.Name} is not the plain base model: CLIP guidance runs the text2im base", nameof(unet));
        }

        if (clip.ImageSize != unet.ImageSize)
        {
            throw new ArgumentException(
                $"{clip.Name} takes {clip.ImageSize}×{clip.ImageSize} images but {unet.Name} makes {unet.ImageSize}×{unet.ImageSize}",
                nameof(clip));
        }

        if (textEmbedding.Length != clip.EmbeddingWidth)
        {
            throw new ArgumentException(
                $"expected a text embedding of {clip.EmbeddingWidth} values ({clip.Name}'s text_emb width), got {textEmbedding.Length}",
                nameof(textEmbedding));
        }

        var n = noise.ImageCount;
        if (gradientScales.Count != n)
        {
            throw new ArgumentException($"expected {n} gradient scales (one per image), got {gradientScales.Count}", nameof(gradientScales));
        }

        foreach (var scale in gradientScales)
        {
            ConditionedAncestralSampler.ValidateScale(scale);
        }

        var rows = text.Repeat(0, n);          // [N] conditional rows (glide-spec §8.4: no CFG)
        var image = unet.InputRowLength;       // 3·S·S
        var output = unet.OutputRowLength;     // 6·S·S
        var width = clip.EmbeddingWidth;
        var embeddings = new float[n * width]; // z_t for every row
        for (var b = 0; b < n; b++)
        {
            textEmbedding.CopyTo(embeddings.AsSpan(b * width, width));
        }

        var x = new float[n * image];
        var timesteps = new long[n];
        var modelOutput = new float[n * output];
        var gradient = new float[n * image];
        var stepNoise = new float[image];
        var predXStart = new float[image];
        var sampler = new ConditionedAncestralSampler(schedule);
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
                // 1. The model and the CLIP gradient both see x_t with the mapped original timestep (§7.3, §8.4).
                Array.Fill(timesteps, schedule.TimestepMap[i]);
                unet.Run(x, timesteps, rows, null, modelOutput);       // [N, 6, S, S]
                clip.Gradient(x, timesteps, embeddings, gradient);     // [N, 3, S, S]

                for (var b = 0; b < n; b++)
                {
                    // 2. One ancestral step, the mean shifted by σ²·s·g, with this image's own k-th draw.
                    if (i != 0)
                    {
                        noise.Fill(b, k, stepNoise);
                    }

                    var row = x.AsSpan(b * image, image);
                    sampler.Step(
                        i, modelOutput.AsSpan(b * output, output), row, gradient.AsSpan(b * image, image),
                        gradientScales[b], stepNoise, row, predXStart);
                }
            },
            progress,
            cancellationToken,
            observer);

        return x;
    }
}
