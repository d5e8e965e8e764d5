using System.Diagnostics;
using Glide.Diffusion;
using Glide.Imaging;
using Glide.Models;
using Glide.Noise;
using Glide.Tokenization;

namespace Glide.Pipeline;

/// <summary>
/// Text → 64×64 base (CFG, ancestral) → optional noised-CLIP rerank → 256×256 upsampler (fast27 DDIM, or ancestral
/// steps where the request or the model's manifest asks) → 8-bit RGB
/// (glide-spec §1, §8.1, §8.2, §9). Every stage is also callable on its own (<see cref="PromptEncoder"/>,
/// <see cref="BaseStage"/>, <see cref="ClipReranker"/>, <see cref="UpsampleStage"/>) so a distributed pipeline can
/// run them apart and get the same images.
/// </summary>
public sealed class GlideCascade
{
    private readonly GlideModelSet _models;
    private readonly PromptEncoder _encoder;
    private readonly Lazy<ClipTokenizer> _clipTokenizer;

    /// <param name="models">The model set; reranking needs its CLIP graphs loaded too.</param>
    /// <param name="tokenizer">GLIDE's tokenizer.</param>
    /// <param name="clipTokenizer">CLIP's tokenizer for reranking; loaded on first use when not given.</param>
    public GlideCascade(GlideModelSet models, GlideTokenizer tokenizer, ClipTokenizer? clipTokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        _models = models;
        _encoder = new PromptEncoder(tokenizer);
        _clipTokenizer = clipTokenizer is null ? new(() => new ClipTokenizer()) : new(clipTokenizer);
    }

    /// <summary>Runs the whole cascade for one request.</summary>
    /// <param name="request">Validated here; an <see cref="ArgumentException"/> names the bad field.</param>
    /// <param name="progress">Stage and step progress.</param>
    /// <param name="cancellationToken">Checked before every diffusion step and every CLIP batch.</param>
    /// <param name="baseNoise">Replaces the seeded base noise (e.g. a reference run's noise file), one image per
    /// candidate.</param>
    /// <param name="upsampleNoise">Replaces the seeded upsampler noise, one image per candidate (reranking takes the
    /// kept candidates' rows).</param>
    /// <exception cref="ModelManifestException">A graph the request needs is not in the model set.</exception>
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
        var reranker = request.Keep is null ? null : ClipReranker.Create(_models, _clipTokenizer.Value);
        if (reranker is not null && reranker.ImageSize != baseUNet.ImageSize)
        {
            throw new ModelManifestException(
                _models.Manifest.ManifestPath, "clip.image", "inputs",
                $"clip.image takes {reranker.ImageSize}×{reranker.ImageSize} images but the base model makes " +
                $"{baseUNet.ImageSize}×{baseUNet.ImageSize}");
        }

        // CLIP guidance (glide-spec §8.4) needs clip.text and clip.grad: checked before any work.
        (UNetGraph BaseUNet, ClipTextGraph ClipText, ClipGradientGraph ClipGradient)? clipGuidance =
            request.Guidance == GuidanceMode.Clip ? ClipGuidedBaseStage.Graphs(_models) : null;

        CheckNoise(baseNoise, request.Count, "base");
        CheckNoise(upsampleNoise, request.Count, "upsample");
        var upsampleSchedule = DiffusionSchedule.Create(BetaSchedule.Linear, request.UpsampleSteps);
        var upsampleSampler = request.UpsampleSampler ?? _models.Manifest.Sampling.UpsampleSamplerKind;
        CheckNoiseFile(upsampleNoise, upsampleSchedule, upsampleUNet.ImageSize, upsampleSampler);
        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();

        var prompt = _encoder.Encode(request.Prompt, request.NegativePrompt, baseText, upsampleText);
        seconds[StageNames.Text] = clock.Elapsed.TotalSeconds;

        var seeds = request.Seeds();
        clock.Restart();
        var baseSamples = clipGuidance is { } clip
            ? ClipGuidedBaseStage.Run(
                baseUNet, prompt.Base, clip.ClipGradient,
                ClipGuidedBaseStage.EncodePrompt(clip.ClipText, _clipTokenizer.Value, request.Prompt),
                baseNoise ?? new PhiloxNoiseSource(seeds, NoiseStreams.Base),
                Enumerable.Repeat(request.GuidanceScale, request.Count).ToArray(),
                DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, request.BaseSteps), progress, cancellationToken)
            : BaseStage.Run(
                baseUNet, prompt.Base, baseNoise ?? new PhiloxNoiseSource(seeds, NoiseStreams.Base),
                Enumerable.Repeat(request.GuidanceScale, request.Count).ToArray(),
                DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, request.BaseSteps), progress, cancellationToken);
        seconds[StageNames.Base] = clock.Elapsed.TotalSeconds; // [N, 3, 64, 64]

        // Without reranking every candidate is kept, in order; with it, the best Keep, best first.
        RerankResult? rerank = null;
        IReadOnlyList<int> kept = Enumerable.Range(0, request.Count).ToArray();
        var keptBase = baseSamples;
        if (reranker is not null)
        {
            clock.Restart();
            rerank = reranker.Rerank(
                request.Prompt, baseSamples, request.Count, request.OutputCount, progress, cancellationToken);
            seconds[StageNames.Rerank] = clock.Elapsed.TotalSeconds;
            kept = rerank.Kept;
            keptBase = Rows(baseSamples, 3 * baseUNet.ImageSize * baseUNet.ImageSize, kept); // [K, 3, 64, 64]
            upsampleNoise = upsampleNoise is null ? null : new SelectedNoiseSource(upsampleNoise, kept);
        }

        var keptSeeds = kept.Select(c => seeds[c]).ToArray();
        clock.Restart();
        var upsampled = UpsampleStage.Run(
            upsampleUNet, prompt.Upsample!, keptBase,
            upsampleNoise ?? new PhiloxNoiseSource(keptSeeds, NoiseStreams.Upsample),
            upsampleSchedule, request.UpsampleTemperature, progress, cancellationToken, sampler: upsampleSampler);
        seconds[StageNames.Upsample] = clock.Elapsed.TotalSeconds; // [K, 3, 256, 256]

        var size = upsampleUNet.ImageSize;
        var plane = 3 * size * size;
        var images = new GeneratedImage[kept.Count];
        for (var k = 0; k < kept.Count; k++)
        {
            var candidate = kept[k];
            images[k] = new GeneratedImage(
                k, keptSeeds[k], size, size, ImageQuantizer.ToRgb24(upsampled.AsSpan(k * plane, plane), size, size))
            {
                Candidate = candidate,
                ClipScore = rerank?.Candidates[candidate].Score,
                Rank = rerank?.Candidates[candidate].Rank,
            };
        }

        return new GenerationResult(images, baseSamples, upsampled, seconds, prompt.Truncated) { Rerank = rerank };
    }

    /// <summary>Rows <paramref name="indices"/> of a [N, row] batch, in that order.</summary>
    private static float[] Rows(float[] batch, int row, IReadOnlyList<int> indices)
    {
        var rows = new float[indices.Count * row];
        for (var k = 0; k < indices.Count; k++)
        {
            batch.AsSpan(indices[k] * row, row).CopyTo(rows.AsSpan(k * row, row));
        }

        return rows;
    }

    private static void CheckNoise(INoiseSource? noise, int count, string stage)
    {
        if (noise is not null && noise.ImageCount != count)
        {
            throw new ArgumentException(
                $"the {stage} noise holds {noise.ImageCount} images but {count} candidates were requested",
                nameof(noise));
        }
    }

    /// <summary>A noise file must hold every draw the upsampler's steps take (x_T only is enough for DDIM); checked
    /// before any work.</summary>
    private static void CheckNoiseFile(
        INoiseSource? noise, DiffusionSchedule schedule, int size, SamplerKind sampler)
    {
        if (noise is not NpyNoiseSource file)
        {
            return;
        }

        try
        {
            file.EnsureFits(schedule.Steps, 3, size, size, stepDrawsNeeded: sampler == SamplerKind.Ancestral);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException(
                $"{e.Message} ({SamplerKinds.Name(sampler)} upsampling, {schedule.Steps} steps)", nameof(noise), e);
        }
    }

    private ModelManifestException MissingGraph(string graph) =>
        new(_models.Manifest.ManifestPath, graph, "graphs", $"the model directory has no {graph} graph, which text-to-image generation needs");
}
