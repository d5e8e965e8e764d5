using Glide.Models;
using Glide.Tokenization;

namespace Glide.Pipeline;

/// <summary>
/// Best-of-N reranking with the noised CLIP (glide-spec §9; design §1, "Rerank"): the prompt through
/// <c>clip.text</c>, every 64×64 base candidate through <c>clip.image</c> at original timestep 0 (a finished sample,
/// so no noise level), and a candidate's score is the dot product of the two L2-normalised embeddings: their cosine
/// similarity, in [−1, 1]. The logit scale of the CLIP-guidance loss (×100, glide-spec §8.4) is not applied: it
/// scales every score alike and cannot change the ranking. <see cref="RerankResult.Rank"/> keeps the best.
/// </summary>
/// <remarks>Thread-safe, as the graph wrappers are.</remarks>
public sealed class ClipReranker
{
    /// <summary>The timestep every candidate is encoded at: t = 0, the end of the base stage's loop.</summary>
    public const long Timestep = 0;

    /// <summary>
    /// Candidates per <c>clip.image</c> run. Fixed, so the same candidates always run in the same batches (the core
    /// cascade and the Functions' rerank activity score alike); small enough to bound memory at full size.
    /// </summary>
    public const int BatchSize = 8;

    private readonly ClipTextGraph _text;
    private readonly ClipImageGraph _image;
    private readonly ClipTokenizer _tokenizer;

    /// <exception cref="ArgumentException">The graphs' embedding widths differ, or the text graph does not take
    /// CLIP's 77-token context.</exception>
    public ClipReranker(ClipTextGraph text, ClipImageGraph image, ClipTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (text.EmbeddingWidth != image.EmbeddingWidth)
        {
            throw new ArgumentException(
                $"{text.Name} embeds into [batch, {text.EmbeddingWidth}] but {image.Name} into " +
                $"[batch, {image.EmbeddingWidth}]: their dot product is undefined", nameof(image));
        }

        if (text.ContextLength != ClipTokenizer.ContextLength)
        {
            throw new ArgumentException(
                $"{text.Name} takes tokens [batch, {text.ContextLength}], expected the CLIP tokenizer's " +
                $"[batch, {ClipTokenizer.ContextLength}]", nameof(text));
        }

        _text = text;
        _image = image;
        _tokenizer = tokenizer;
    }

    /// <summary>S: candidates are [N, 3, S, S].</summary>
    public int ImageSize => _image.ImageSize;

    /// <summary>E: the embedding width.</summary>
    public int EmbeddingWidth => _image.EmbeddingWidth;

    /// <summary>The reranker of a model set.</summary>
    /// <exception cref="ModelManifestException">The set has no CLIP graphs (not exported, or not loaded).</exception>
    public static ClipReranker Create(GlideModelSet models, ClipTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.ClipText is not { } text || models.ClipImage is not { } image)
        {
            throw new ModelManifestException(
                models.Manifest.ManifestPath, "clip.text", "graphs",
                "the model directory has no clip.text and clip.image graphs (or they were not loaded), which " +
                "reranking needs; export the clip model with the rest (src/export, --models …,clip)");
        }

        return new ClipReranker(text, image, tokenizer);
    }

    /// <summary>The prompt's CLIP embedding [E], L2-normalised (glide-spec §2.2 tokens, §9 text encoder).</summary>
    public float[] EncodePrompt(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var (tokens, length) = ClipTokenizer.PadAndLength(_tokenizer.Encode(prompt));
        return _text.Encode(tokens, [length]);
    }

    /// <summary>The score of each of <paramref name="count"/> candidates against a prompt embedding.</summary>
    /// <param name="textEmbedding">[E] from <see cref="EncodePrompt"/>.</param>
    /// <param name="candidates">[N, 3, S, S] in [−1, 1]: the base stage's output.</param>
    /// <param name="count">N.</param>
    /// <param name="progress">Candidates scored so far, as steps of the <c>rerank</c> stage.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <returns>[N] cosine similarities.</returns>
    public float[] Score(
        ReadOnlySpan<float> textEmbedding,
        ReadOnlySpan<float> candidates,
        int count,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var width = EmbeddingWidth;
        if (textEmbedding.Length != width)
        {
            throw new ArgumentException(
                $"expected a text embedding of {width} values, got {textEmbedding.Length}", nameof(textEmbedding));
        }

        var plane = 3 * ImageSize * ImageSize;
        if (candidates.Length != (long)count * plane)
        {
            throw new ArgumentException(
                $"expected {count} candidates of [3, {ImageSize}, {ImageSize}] ({(long)count * plane} values), " +
                $"got {candidates.Length}", nameof(candidates));
        }

        var scores = new float[count];
        var timesteps = new long[Math.Min(BatchSize, count)];
        Array.Fill(timesteps, Timestep);
        var embeddings = new float[timesteps.Length * width];
        progress?.Report(new StageProgress(StageNames.Rerank, 0, count));
        for (var first = 0; first < count; first += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Math.Min(BatchSize, count - first);
            var rows = embeddings.AsSpan(0, batch * width);
            _image.Encode(candidates.Slice(first * plane, batch * plane), timesteps.AsSpan(0, batch), rows); // [b, E]
            for (var b = 0; b < batch; b++)
            {
                scores[first + b] = Dot(textEmbedding, rows.Slice(b * width, width));
            }

            progress?.Report(new StageProgress(StageNames.Rerank, first + batch, count));
        }

        return scores;
    }

    /// <summary>Scores the candidates against <paramref name="prompt"/> and keeps the best.</summary>
    /// <param name="prompt">The generation's prompt (not the negative prompt).</param>
    /// <param name="candidates">[N, 3, S, S] in [−1, 1].</param>
    /// <param name="count">N.</param>
    /// <param name="keep">How many to keep, 1 ≤ keep ≤ N.</param>
    /// <param name="progress">Candidates scored so far.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    public RerankResult Rerank(
        string prompt,
        ReadOnlySpan<float> candidates,
        int count,
        int keep,
        IProgress<StageProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (keep < 1 || keep > count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(keep), keep, $"keep must be between 1 and the {count} candidates, got {keep}");
        }

        var text = EncodePrompt(prompt);
        return RerankResult.Rank(Score(text, candidates, count, progress, cancellationToken), keep);
    }

    // Both vectors are unit length, so this is the cosine. Accumulated in double, then rounded once.
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0.0;
        for (var e = 0; e < a.Length; e++)
        {
            sum += (double)a[e] * b[e];
        }

        return (float)sum;
    }
}
