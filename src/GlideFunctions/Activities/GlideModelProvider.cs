using Glide.Models;
using Glide.Tokenization;

namespace GlideFunctions.Activities;

/// <summary>
/// The process's one model set and tokenizers (a DI singleton): loaded on first use, so a worker that never runs a
/// stage never opens an ONNX session, and shared by every activity afterwards.
/// </summary>
public sealed class GlideModelProvider : IDisposable
{
    private readonly Lazy<GlideModelSet> _models;
    private readonly Lazy<GlideTokenizer> _tokenizer = new(() => new GlideTokenizer());
    private readonly Lazy<ClipTokenizer> _clipTokenizer = new(() => new ClipTokenizer());

    public GlideModelProvider(Func<GlideModelSet> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        _models = new Lazy<GlideModelSet>(load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public GlideModelSet Models => _models.Value;

    public GlideTokenizer Tokenizer => _tokenizer.Value;

    /// <summary>CLIP's tokenizer, for the rerank stage (loaded on first use).</summary>
    public ClipTokenizer ClipTokenizer => _clipTokenizer.Value;

    public void Dispose()
    {
        if (_models.IsValueCreated)
        {
            _models.Value.Dispose();
        }
    }

    internal static ModelManifestException MissingGraph(GlideModelSet models, string graph, string stage) =>
        new(models.Manifest.ManifestPath, graph, "graphs", $"the model directory has no {graph} graph, which the {stage} stage needs");
}
