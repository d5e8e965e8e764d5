using System.Diagnostics;
using Glide.Diffusion;
using Glide.Imaging;
using Glide.Models;
using Glide.Noise;
using Glide.Tokenization;

namespace Glide.Pipeline;

/// <summary>
/// Text → 64×64 base (CFG, ancestral) → 256×256 upsampler (fast27 DDIM) → 8-bit RGB (glide-spec §1, §8.1, §8.2).
/// Every stage is also callable on its own (<see cref="PromptEncoder"/>, <see cref="BaseStage"/>,
/// <see cref="UpsampleStage"/>) so a distributed pipeline can run them apart and get the same images.
/// </summary>
public sealed class GlideCascade
{
    private readonly GlideModelSet _models;
    private readonly PromptEncoder _encoder;

    public GlideCascade(GlideModelSet models, GlideTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(models);
        _models = models;
        _encoder = new PromptEncoder(tokenizer);
    }

    /// <summary>Runs the whole cascade for one request.</summary>
    /// <param name="request">Validated here; an <see cref="ArgumentException"/> names the bad field.</param>
    /// <param name="progress">Stage and step progress.</param>
    /// <param name="cancellationToken">Checked before every diffusion step.</param>
    /// <param name="baseNoise">Replaces the seeded base noise (e.g. a reference run's noise file).</param>
    /// <param name="upsampleNoise">Replaces the seeded upsampler noise.</param>
    public GenerationResult Generate(
        GenerationRequest request,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default,
        INoiseSource? baseNoise = null,
        INoiseSource? upsampleNoise = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var baseText = _models.BaseText ?? throw MissingGraph("base.text");
        var baseUNet = _models.BaseUNet ?? throw MissingGraph("base.unet");
        var upsampleText = _models.UpsampleText ?? throw MissingGraph("upsample.text");
        var upsampleUNet = _models.UpsampleUNet ?? throw MissingGraph("upsample.unet");
        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();

        var prompt = _encoder.Encode(request.Prompt, request.NegativePrompt, baseText, upsampleText);
        seconds[StageNames.Text] = clock.Elapsed.TotalSeconds;

        var seeds = request.Seeds();
        clock.Restart();
        var baseSamples = BaseStage.Run(
            baseUNet, prompt.Base, CheckNoise(baseNoise, request.Count, "base") ?? new PhiloxNoiseSource(seeds, NoiseStreams.Base),
            Enumerable.Repeat(request.GuidanceScale, request.Count).ToArray(),
            DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, request.BaseSteps), progress, cancellationToken);
        seconds[StageNames.Base] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var upsampled = UpsampleStage.Run(
            upsampleUNet, prompt.Upsample!, baseSamples,
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

        return new GenerationResult(images, baseSamples, upsampled, seconds, prompt.Truncated);
    }

    private static INoiseSource? CheckNoise(INoiseSource? noise, int count, string stage) =>
        noise is null || noise.ImageCount == count
            ? noise
            : throw new ArgumentException($"the {stage} noise holds {noise.ImageCount} images but {count} were requested", nameof(noise));

    private ModelManifestException MissingGraph(string graph) =>
        new(_models.Manifest.ManifestPath, graph, "graphs", $"the model directory has no {graph} graph, which text-to-image generation needs");
}
