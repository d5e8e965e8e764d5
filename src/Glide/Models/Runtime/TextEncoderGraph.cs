using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Glide.Models;

/// <summary>
/// A <c>*.text</c> graph (FORMAT.md): tokens int64 [B, T] and mask bool [B, T] → <c>xf_proj</c> [B, D] and
/// <c>xf_out</c> [B, W, T], the Text2ImUNet text path (glide-spec §4), run once per batch of prompts.
/// </summary>
public sealed class TextEncoderGraph : IDisposable
{
    private const string TokensName = "tokens";
    private const string MaskName = "mask";
    private const string XfProjName = "xf_proj";
    private const string XfOutName = "xf_out";

    private static readonly string[] InputNames = [TokensName, MaskName];
    private static readonly string[] OutputNames = [XfProjName, XfOutName];

    private readonly InferenceSession _session;
    private bool _disposed;

    /// <summary>Wraps <paramref name="session"/>, which it then owns, once the manifest checks pass.</summary>
    internal TextEncoderGraph(ModelManifest manifest, GraphSpec graph, ModelEntry model, InferenceSession session)
    {
        GraphContract.RequireNames(manifest, graph, "inputs", graph.Inputs, InputNames);
        GraphContract.RequireNames(manifest, graph, "outputs", graph.Outputs, OutputNames);
        var tokens = GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, TokensName, TensorDType.Int64, GraphContract.Batch,
            GraphContract.Any);
        var context = tokens[1];
        GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, MaskName, TensorDType.Bool, GraphContract.Batch, context);
        var xfProj = GraphContract.RequireTensor(
            manifest, graph, "outputs", graph.Outputs, XfProjName, TensorDType.Float32, GraphContract.Batch,
            GraphContract.Any);
        var xfOut = GraphContract.RequireTensor(
            manifest, graph, "outputs", graph.Outputs, XfOutName, TensorDType.Float32, GraphContract.Batch,
            GraphContract.Any, context);

        var textContext = GraphContract.RequireIntOption(manifest, graph, model, "text_ctx");
        GraphContract.Require(
            manifest, graph, textContext == context, $"inputs ({TokensName}).shape",
            $"expected [batch, {textContext}] (the model's text_ctx), got [batch, {context}]");

        Graph = graph;
        Model = model;
        ContextLength = context;
        ProjectionWidth = xfProj[1];
        Width = xfOut[1];
        VocabularySize = GraphContract.RequireIntOption(manifest, graph, model, "n_vocab");
        _session = session;
    }

    public GraphSpec Graph { get; }

    /// <summary>The graph's name, e.g. <c>base.text</c>.</summary>
    public string Name => Graph.Name;

    /// <summary>The model's manifest entry: kind and every build option.</summary>
    public ModelEntry Model { get; }

    /// <summary>T: tokens per row (<c>text_ctx</c>, 128).</summary>
    public int ContextLength { get; }

    /// <summary>D: the width of <c>xf_proj</c>.</summary>
    public int ProjectionWidth { get; }

    /// <summary>W: <c>xf_width</c>.</summary>
    public int Width { get; }

    /// <summary>Token ids must lie in [0, <c>n_vocab</c>).</summary>
    public int VocabularySize { get; }

    /// <param name="tokens">[batch, T] GLIDE token ids, padded (glide-spec §2.1).</param>
    /// <param name="mask">[batch, T]: true where a token is real.</param>
    /// <param name="batch">Rows.</param>
    /// <exception cref="ArgumentException">A span of the wrong length, or a token outside the vocabulary.</exception>
    public TextConditioning Encode(ReadOnlySpan<long> tokens, ReadOnlySpan<bool> mask, int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RuntimeArguments.RequireBatch(batch, nameof(batch));
        RuntimeArguments.RequireLength(nameof(tokens), tokens.Length, batch, ContextLength);
        RuntimeArguments.RequireLength(nameof(mask), mask.Length, batch, ContextLength);
        // An out-of-range id is an error on the CPU but can read arbitrary embedding rows on a GPU.
        RuntimeArguments.RequireRange(nameof(tokens), tokens, ContextLength, 0, VocabularySize, "token");

        var xfProj = new float[batch * ProjectionWidth]; // [B, D]
        var xfOut = new float[batch * Width * ContextLength]; // [B, W, T]
        using var tokensValue = OrtTensors.CopyOf(tokens, TensorElementType.Int64, batch, ContextLength);
        using var maskValue = OrtTensors.CopyOf(mask, TensorElementType.Bool, batch, ContextLength);
        // ONNX Runtime writes straight into the arrays the result keeps: outputs pinned only for this run.
        using var xfProjValue = OrtValue.CreateTensorValueFromMemory(xfProj, [batch, ProjectionWidth]);
        using var xfOutValue = OrtValue.CreateTensorValueFromMemory(xfOut, [batch, Width, ContextLength]);
        using var runOptions = new RunOptions();
        _session.Run(runOptions, InputNames, [tokensValue, maskValue], OutputNames, [xfProjValue, xfOutValue]);
        return new TextConditioning(xfProj, xfOut, batch, ProjectionWidth, Width, ContextLength);
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
