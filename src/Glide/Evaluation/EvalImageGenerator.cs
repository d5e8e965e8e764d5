using Glide.Diffusion;
using Glide.Imaging;
using Glide.Models;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Tokenization;

namespace Glide.Evaluation;

/// <summary>
/// Generates a caption's images for an <see cref="EvalSetting"/> with the pipeline's own stages, so an evaluated
/// image is exactly what generation makes for the same prompt, seed and settings: with
/// <see cref="EvalSetting.Upsample"/> the whole <see cref="GlideCascade"/>; without, the cascade's first stages
/// only (<see cref="PromptEncoder"/>, <see cref="BaseStage"/>, <see cref="ClipReranker"/>) and the 64×64 base
/// output, which is much faster and what the base model is trained to draw.
/// </summary>
public sealed class EvalImageGenerator
{
    private readonly GlideModelSet _models;
    private readonly GlideCascade _cascade;
    private readonly PromptEncoder _encoder;
    private readonly Lazy<ClipReranker> _reranker;

    /// <param name="models">Needs the base model; <see cref="EvalSetting.Upsample"/> the upsampler, reranking the
    /// clip model.</param>
    /// <param name="tokenizer">GLIDE's tokenizer.</param>
    /// <param name="clipTokenizer">CLIP's tokenizer, for reranking; loaded on first use when not given.</param>
    public EvalImageGenerator(GlideModelSet models, GlideTokenizer tokenizer, ClipTokenizer? clipTokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _models = models;
        var clip = clipTokenizer is null ? new Lazy<ClipTokenizer>(() => new ClipTokenizer()) : new(clipTokenizer);
        _cascade = new GlideCascade(models, tokenizer, clipTokenizer);
        _encoder = new PromptEncoder(tokenizer);
        _reranker = new Lazy<ClipReranker>(() => ClipReranker.Create(models, clip.Value));
    }

    /// <summary>The caption's kept images, best first when reranked, else in seed order.</summary>
    /// <param name="caption">The prompt.</param>
    /// <param name="seed">Seed of the caption's first image; image k uses seed + k.</param>
    /// <param name="setting">How to generate.</param>
    /// <param name="progress">Stage and step progress.</param>
    /// <param name="cancellationToken">Checked before every diffusion step.</param>
    /// <exception cref="ModelManifestException">A graph the setting needs is not loaded.</exception>
    public IReadOnlyList<EvalImage> Generate(
        string caption,
        long seed,
        EvalSetting setting,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caption);
        ArgumentNullException.ThrowIfNull(setting);
        var request = setting.Request(caption, seed);
        request.Validate();
        if (setting.Upsample)
        {
            var result = _cascade.Generate(request, progress, cancellationToken);
            return [.. result.Images.Select(i => new EvalImage(
                i.Candidate, i.Seed, i.ClipScore, new RgbImage(i.Width, i.Height, i.Rgb)))];
        }

        return GenerateBase(request, progress, cancellationToken);
    }

    // GlideCascade.Generate up to the rerank, without the upsampler.
    private EvalImage[] GenerateBase(
        GenerationRequest request, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var baseText = _models.BaseText ?? throw MissingGraph("base.text");
        var baseUNet = _models.BaseUNet ?? throw MissingGraph("base.unet");
        var reranker = request.Keep is null ? null : _reranker.Value;
        if (reranker is not null && reranker.ImageSize != baseUNet.ImageSize)
        {
            throw new ModelManifestException(
                _models.Manifest.ManifestPath, "clip.image", "inputs",
                $"clip.image takes {reranker.ImageSize}×{reranker.ImageSize} images but the base model makes " +
                $"{baseUNet.ImageSize}×{baseUNet.ImageSize}");
        }

        var prompt = _encoder.Encode(request.Prompt, request.NegativePrompt, baseText, upsampleText: null);
        var seeds = request.Seeds();
        var samples = BaseStage.Run(
            baseUNet, prompt.Base, new PhiloxNoiseSource(seeds, NoiseStreams.Base),
            Enumerable.Repeat(request.GuidanceScale, request.Count).ToArray(),
            DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, request.BaseSteps), progress, cancellationToken);

        var size = baseUNet.ImageSize;
        var plane = 3 * size * size;
        RerankResult? rerank = null;
        IReadOnlyList<int> kept = Enumerable.Range(0, request.Count).ToArray();
        if (reranker is not null)
        {
            rerank = reranker.Rerank(
                request.Prompt, samples, request.Count, request.OutputCount, progress, cancellationToken);
            kept = rerank.Kept;
        }

        return [.. kept.Select(c => new EvalImage(
            c, seeds[c], rerank?.Candidates[c].Score,
            new RgbImage(size, size, ImageQuantizer.ToRgb24(samples.AsSpan(c * plane, plane), size, size))))];
    }

    private ModelManifestException MissingGraph(string graph) =>
        new(_models.Manifest.ManifestPath, graph, "graphs", $"the model directory has no {graph} graph, which evaluation needs");
}
