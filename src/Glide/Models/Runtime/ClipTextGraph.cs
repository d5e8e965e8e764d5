using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Glide.Models;

/// <summary>
/// The noised-CLIP text encoder, <c>clip.text</c> (FORMAT.md, glide-spec §9): CLIP tokens int64 [B, 77] and their
/// lengths [B] (EOT included) → <c>text_emb</c> [B, E], L2-normalised.
/// </summary>
public sealed class ClipTextGraph : IDisposable
{
    private const string TokensName = "tokens";
    private const string TextLengthName = "text_len";
    private const string EmbeddingName = "text_emb";

    private static readonly string[] InputNames = [TokensName, TextLengthName];
    private static readonly string[] OutputNames = [EmbeddingName];

    private readonly InferenceSession _session;
    private bool _disposed;

    /// <summary>Wraps <paramref name="session"/>, which it then owns, once the manifest checks pass.</summary>
    internal ClipTextGraph(ModelManifest manifest, GraphSpec graph, ModelEntry model, InferenceSession session)
    {
        GraphContract.RequireNames(manifest, graph, "inputs", graph.Inputs, InputNames);
        GraphContract.RequireNames(manifest, graph, "outputs", graph.Outputs, OutputNames);
        var tokens = GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, TokensName, TensorDType.Int64, GraphContract.Batch,
            GraphContract.Any);
        GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, TextLengthName, TensorDType.Int64, GraphContract.Batch);
        var embedding = GraphContract.RequireTensor(
            manifest, graph, "outputs", graph.Outputs, EmbeddingName, TensorDType.Float32, GraphContract.Batch,
            GraphContract.Any);

        var textContext = GraphContract.RequireIntOption(manifest, graph, model, "text_ctx");
        GraphContract.Require(
            manifest, graph, textContext == tokens[1], $"inputs ({TokensName}).shape",
            $"expected [batch, {textContext}] (the model's text_ctx), got [batch, {tokens[1]}]");

        Graph = graph;
        Model = model;
        ContextLength = tokens[1];
        EmbeddingWidth = embedding[1];
        VocabularySize = GraphContract.RequireIntOption(manifest, graph, model, "n_vocab");
        _session = session;
    }

    public GraphSpec Graph { get; }

    public string Name => Graph.Name;

    /// <summary>The model's manifest entry: kind and every build option.</summary>
    public ModelEntry Model { get; }

    /// <summary>Tokens per row (<c>text_ctx</c>, 77).</summary>
    public int ContextLength { get; }

    /// <summary>E: the embedding width.</summary>
    public int EmbeddingWidth { get; }

    /// <summary>Token ids must lie in [0, <c>n_vocab</c>).</summary>
    public int VocabularySize { get; }

    /// <summary>Encodes B = <c>textLengths.Length</c> rows into <paramref name="embeddings"/>.</summary>
    /// <param name="tokens">[B, 77] CLIP token ids: SOT, the text, EOT, zero padding (glide-spec §2.2).</param>
    /// <param name="textLengths">[B]: tokens per row including SOT and EOT, in [1, 77]; the EOT is at length − 1.
    /// </param>
    /// <param name="embeddings">[B, E], written.</param>
    /// <exception cref="ArgumentException">A span of the wrong length, or a token or length out of range.</exception>
    public void Encode(ReadOnlySpan<long> tokens, ReadOnlySpan<long> textLengths, Span<float> embeddings)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var batch = textLengths.Length;
        if (batch == 0)
        {
            throw new ArgumentException("expected one length per row, got none", nameof(textLengths));
        }

        RuntimeArguments.RequireLength(nameof(tokens), tokens.Length, batch, ContextLength);
        RuntimeArguments.RequireLength(nameof(embeddings), embeddings.Length, batch, EmbeddingWidth);
        RuntimeArguments.RequireRange(nameof(tokens), tokens, ContextLength, 0, VocabularySize, "token");
        // The graph gathers the features at text_len − 1: anything else indexes outside the row.
        RuntimeArguments.RequireRange(nameof(textLengths), textLengths, 1, 1, ContextLength + 1, "text length");

        using var tokensValue = OrtTensors.CopyOf(tokens, TensorElementType.Int64, batch, ContextLength);
        using var lengthsValue = OrtTensors.CopyOf(textLengths, TensorElementType.Int64, batch);
        using var embeddingValue = OrtTensors.Allocate(TensorElementType.Float, batch, EmbeddingWidth);
        using var runOptions = new RunOptions();
        _session.Run(runOptions, InputNames, [tokensValue, lengthsValue], OutputNames, [embeddingValue]);
        embeddingValue.GetTensorDataAsSpan<float>().CopyTo(embeddings);
    }

    /// <summary>
    /// As <see cref="Encode(ReadOnlySpan{long}, ReadOnlySpan{long}, Span{float})"/>, into a new [B, E] array.
    /// </summary>
    public float[] Encode(ReadOnlySpan<long> tokens, ReadOnlySpan<long> textLengths)
    {
        var embeddings = new float[textLengths.Length * EmbeddingWidth];
        Encode(tokens, textLengths, embeddings);
        return embeddings;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _session.Dispose();
        }
    }
}
