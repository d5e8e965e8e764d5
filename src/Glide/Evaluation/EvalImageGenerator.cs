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
/// <remarks>
/// An image depends only on its prompt, seed and settings, not on the batch it was drawn in (design §5), and
/// plain sampling of k images draws the seeds of a best-of-N setting's first k candidates. So after
/// <see cref="KeepPlainSamplesFor"/>, the base samples a plain setting draws are kept until that reranked setting
/// asks for the same prompt and seeds, and it draws only its other candidates: <c>glide eval --candidates 4 --keep
/// 1</c> samples each caption's first candidate once, not twice. Each kept sample is handed out once and dropped.
/// </remarks>
public sealed class EvalImageGenerator
{
    private readonly GlideModelSet _models;
    private readonly GlideCascade _cascade;
    private readonly PromptEncoder _encoder;
    private readonly Lazy<ClipReranker> _reranker;
    private readonly Dictionary<BaseSampleKey, float[]> _plainSamples = [];
    private readonly List<EvalSetting> _rerankedLater = [];

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

    /// <summary>
    /// From now on, keep the 64×64 base samples that plain settings with <paramref name="reranked"/>'s guidance and
    /// steps draw for its candidates' seeds, for it to use instead of drawing them again.
    /// </summary>
    /// <param name="reranked">A best-of-N setting (<see cref="EvalSetting.Keep"/> set) run later on the same captions
    /// and seeds.</param>
    public void KeepPlainSamplesFor(EvalSetting reranked)
    {
        ArgumentNullException.ThrowIfNull(reranked);
        if (reranked.Keep is null)
        {
            throw new ArgumentException($"{reranked.Name} is not a reranked setting", nameof(reranked));
        }

        _rerankedLater.Add(reranked);
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

        var seeds = request.Seeds();
        var size = baseUNet.ImageSize;
        var plane = 3 * size * size;
        var samples = new float[request.Count * plane];
        var keys = seeds.Select(seed => BaseSampleKey.Of(request, seed)).ToArray();
        var toDraw = new List<int>(request.Count);
        for (var c = 0; c < request.Count; c++)
        {
            if (reranker is not null && _plainSamples.Remove(keys[c], out var plainSample))
            {
                plainSample.CopyTo(samples, c * plane);
            }
            else
            {
                toDraw.Add(c);
            }
        }

        if (toDraw.Count > 0)
        {
            var prompt = _encoder.Encode(request.Prompt, request.NegativePrompt, baseText, upsampleText: null);
            var drawn = BaseStage.Run(
                baseUNet, prompt.Base, new PhiloxNoiseSource([.. toDraw.Select(c => seeds[c])], NoiseStreams.Base),
                Enumerable.Repeat(request.GuidanceScale, toDraw.Count).ToArray(),
                DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, request.BaseSteps), progress, cancellationToken);
            for (var k = 0; k < toDraw.Count; k++)
            {
                drawn.AsSpan(k * plane, plane).CopyTo(samples.AsSpan(toDraw[k] * plane));
                if (reranker is null && _rerankedLater.Any(r => WillAsk(r, request, toDraw[k])))
                {
                    _plainSamples[keys[toDraw[k]]] = drawn.AsSpan(k * plane, plane).ToArray();
                }
            }
        }

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

    private static bool WillAsk(EvalSetting reranked, GenerationRequest plain, int candidate) =>
        !reranked.Upsample && candidate < reranked.Count && reranked.GuidanceScale == plain.GuidanceScale
        && reranked.BaseSteps == plain.BaseSteps;

    /// <summary>What a base sample depends on besides the model.</summary>
    private readonly record struct BaseSampleKey(
        string Prompt, string? NegativePrompt, float GuidanceScale, string BaseSteps, long Seed)
    {
        public static BaseSampleKey Of(GenerationRequest request, long seed) =>
            new(request.Prompt, request.NegativePrompt, request.GuidanceScale, request.BaseSteps, seed);
    }

    private ModelManifestException MissingGraph(string graph) =>
        new(_models.Manifest.ManifestPath, graph, "graphs", $"the model directory has no {graph} graph, which evaluation needs");
}
