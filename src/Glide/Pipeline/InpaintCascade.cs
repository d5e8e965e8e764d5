using System.Diagnostics;
using Glide.Diffusion;
using Glide.Imaging;
using Glide.Models;
using Glide.Noise;
using Glide.Tokenization;

namespace Glide.Pipeline;

/// <summary>
/// Inpainting, text → base-inpaint (64×64, CFG, ancestral) → upsample-inpaint (256×256, ancestral fast27) →
/// 8-bit RGB (glide-spec §8.3). The stages are also callable on their own (<see cref="PromptEncoder"/> with the
/// inpaint text graphs, <see cref="InpaintStages"/>), so a distributed pipeline gets the same images.
/// </summary>
public sealed class InpaintCascade
{
    private readonly GlideModelSet _models;
    private readonly PromptEncoder _encoder;

    /// <param name="models">A set holding the base-inpaint and upsample-inpaint models.</param>
    /// <param name="tokenizer">The GLIDE tokenizer.</param>
    public InpaintCascade(GlideModelSet models, GlideTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(models);
        _models = models;
        _encoder = new PromptEncoder(tokenizer);
    }

    /// <summary>Runs both stages for one request.</summary>
    /// <param name="request">Validated here; an <see cref="ArgumentException"/> names the bad field.</param>
    /// <param name="inputs">The source image and mask (<see cref="InpaintInputs.FromPng"/> and friends).</param>
    /// <param name="progress">Stage and step progress.</param>
    /// <param name="cancellationToken">Checked before every diffusion step.</param>
    /// <param name="baseNoise">Replaces the seeded base noise (N images, S+1 draws of [3, 64, 64]).</param>
    /// <param name="upsampleNoise">Replaces the seeded upsampler noise (every draw is used: the steps are ancestral).</param>
    /// <exception cref="ModelManifestException">The set lacks an inpainting graph.</exception>
    public InpaintResult Inpaint(
        InpaintRequest request,
        InpaintInputs inputs,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default,
        INoiseSource? baseNoise = null,
        INoiseSource? upsampleNoise = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(inputs);
        request.Validate();
        var baseText = _models.BaseInpaintText ?? throw MissingGraph("base-inpaint.text");
        var baseUNet = _models.BaseInpaintUNet ?? throw MissingGraph("base-inpaint.unet");
        var upsampleText = _models.UpsampleInpaintText ?? throw MissingGraph("upsample-inpaint.text");
        var upsampleUNet = _models.UpsampleInpaintUNet ?? throw MissingGraph("upsample-inpaint.unet");
        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();

        var prompt = _encoder.Encode(request.Prompt, request.NegativePrompt, baseText, upsampleText);
        seconds[StageNames.Text] = clock.Elapsed.TotalSeconds;

        var seeds = request.Seeds();
        clock.Restart();
        var baseSamples = InpaintStages.RunBase(
            baseUNet, prompt.Base, inputs,
            CheckNoise(baseNoise, request.Count, "base") ?? new PhiloxNoiseSource(seeds, NoiseStreams.Base),
            Enumerable.Repeat(request.GuidanceScale, request.Count).ToArray(),
            DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, request.BaseSteps), progress, cancellationToken);
        seconds[StageNames.Base] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var upsampled = InpaintStages.RunUpsample(
            upsampleUNet, prompt.Upsample!, baseSamples, inputs,
            CheckNoise(upsampleNoise, request.Count, "upsample") ?? new PhiloxNoiseSource(seeds, NoiseStreams.Upsample),
            DiffusionSchedule.Create(BetaSchedule.Linear, request.UpsampleSteps), request.UpsampleTemperature,
            progress, cancellationToken);
        seconds[StageNames.Upsample] = clock.Elapsed.TotalSeconds;

        var size = upsampleUNet.ImageSize;
        var plane = 3 * size * size;
        var images = new GeneratedImage[request.Count];
        for (var k = 0; k < request.Count; k++)
        {
            images[k] = new GeneratedImage(
                k, seeds[k], size, size, ImageQuantizer.ToRgb24(upsampled.AsSpan(k * plane, plane), size, size));
        }

        return new InpaintResult(images, baseSamples, upsampled, seconds, prompt.Truncated);
    }

    private static INoiseSource? CheckNoise(INoiseSource? noise, int count, string stage) =>
        noise is null || noise.ImageCount == count
            ? noise
            : throw new ArgumentException($"the {stage} noise holds {noise.ImageCount} images but {count} were requested", nameof(noise));

    private ModelManifestException MissingGraph(string graph) =>
        new(_models.Manifest.ManifestPath, graph, "graphs", $"the model directory has no {graph} graph, which inpainting needs");
}
