using Glide.Models;
using Glide.Tokenization;

namespace GlideFunctions.Activities;

/// <summary>
/// The process's model sets and tokenizers (a DI singleton): loaded on first use, so a worker that never runs a
/// stage never opens an ONNX session, and shared by every activity afterwards.
/// </summary>
/// <remarks>
/// The inpainting models are a second set (<see cref="InpaintModels"/>), loaded only when the first inpainting stage
/// runs: a worker that only generates from text never holds two more full-size UNets in memory.
/// </remarks>
public sealed class GlideModelProvider : IDisposable
{
    private readonly Lazy<GlideModelSet> _models;
    private readonly Lazy<GlideModelSet> _inpaintModels;
    private readonly Lazy<GlideTokenizer> _tokenizer = new(() => new GlideTokenizer());
    private readonly Lazy<ClipTokenizer> _clipTokenizer = new(() => new ClipTokenizer());

    /// <param name="load">Loads the text-to-image set (base, upsample and, where exported, clip).</param>
    /// <param name="loadInpaint">Loads the inpainting set (base-inpaint, upsample-inpaint); null when the app serves
    /// no inpainting, and <see cref="InpaintModels"/> then says so.</param>
    public GlideModelProvider(Func<GlideModelSet> load, Func<GlideModelSet>? loadInpaint = null)
    {
        ArgumentNullException.ThrowIfNull(load);
        _models = new Lazy<GlideModelSet>(load, LazyThreadSafetyMode.ExecutionAndPublication);
        _inpaintModels = new Lazy<GlideModelSet>(
            loadInpaint ?? (static () => throw new InvalidOperationException(
                "this worker was set up without inpainting models (no loader for base-inpaint and upsample-inpaint)")),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public GlideModelSet Models => _models.Value;

    /// <summary>The base-inpaint and upsample-inpaint models, for the inpainting stages (loaded on first use).</summary>
    public GlideModelSet InpaintModels => _inpaintModels.Value;

    public GlideTokenizer Tokenizer => _tokenizer.Value;

    /// <summary>CLIP's tokenizer, for the rerank stage and CLIP guidance (loaded on first use).</summary>
    public ClipTokenizer ClipTokenizer => _clipTokenizer.Value;

    public void Dispose()
    {
        if (_models.IsValueCreated)
        {
            _models.Value.Dispose();
        }

        if (_inpaintModels.IsValueCreated)
        {
            _inpaintModels.Value.Dispose();
        }
    }

    internal static ModelManifestException MissingGraph(GlideModelSet models, string graph, string stage) =>
        new(models.Manifest.ManifestPath, graph, "graphs", $"the model directory has no {graph} graph, which the {stage} stage needs");
}
