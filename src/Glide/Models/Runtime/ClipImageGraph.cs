using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Glide.Models;

/// <summary>
/// The noised-CLIP image encoder, <c>clip.image</c> (FORMAT.md, glide-spec §9): x_t [B, 3, 64, 64] in [−1, 1] and
/// original timesteps [B] → <c>image_emb</c> [B, E], L2-normalised, so a score is a dot product with a text
/// embedding.
/// </summary>
public sealed class ClipImageGraph : IDisposable
{
    private const string XName = "x_t";
    private const string TimestepsName = "timesteps";
    private const string EmbeddingName = "image_emb";

    private static readonly string[] InputNames = [XName, TimestepsName];
    private static readonly string[] OutputNames = [EmbeddingName];

    private readonly InferenceSession _session;
    private bool _disposed;

    /// <summary>Wraps <paramref name="session"/>, which it then owns, once the manifest checks pass.</summary>
    internal ClipImageGraph(ModelManifest manifest, GraphSpec graph, ModelEntry model, InferenceSession session)
    {
        GraphContract.RequireNames(manifest, graph, "inputs", graph.Inputs, InputNames);
        GraphContract.RequireNames(manifest, graph, "outputs", graph.Outputs, OutputNames);
        var x = GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, XName, TensorDType.Float32, GraphContract.Batch, 3,
            GraphContract.Any, GraphContract.Any);
        GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, TimestepsName, TensorDType.Int64, GraphContract.Batch);
        var embedding = GraphContract.RequireTensor(
            manifest, graph, "outputs", graph.Outputs, EmbeddingName, TensorDType.Float32, GraphContract.Batch,
            GraphContract.Any);

        var imageSize = GraphContract.RequireIntOption(manifest, graph, model, "image_size");
        GraphContract.Require(
            manifest, graph, x[2] == imageSize && x[3] == imageSize, $"inputs ({XName}).shape",
            $"expected [batch, 3, {imageSize}, {imageSize}] (the model's image_size), got [batch, 3, {x[2]}, {x[3]}]");

        Graph = graph;
        Model = model;
        ImageSize = imageSize;
        EmbeddingWidth = embedding[1];
        TimestepCount = GraphContract.RequireIntOption(manifest, graph, model, "n_timesteps");
        _session = session;
    }

    public GraphSpec Graph { get; }

    public string Name => Graph.Name;

    /// <summary>The model's manifest entry: kind and every build option.</summary>
    public ModelEntry Model { get; }

    /// <summary>S: the side of x_t (64).</summary>
    public int ImageSize { get; }

    /// <summary>E: the embedding width.</summary>
    public int EmbeddingWidth { get; }

    /// <summary>Timesteps must lie in [0, <c>n_timesteps</c>): the graph looks each up in an embedding table.</summary>
    public int TimestepCount { get; }

    /// <summary>Encodes B = <c>timesteps.Length</c> images into <paramref name="embeddings"/>.</summary>
    /// <param name="x">x_t [B, 3, S, S] in [−1, 1]; the graph normalises it itself.</param>
    /// <param name="timesteps">[B] original (unspaced) timesteps; 0 for a finished sample.</param>
    /// <param name="embeddings">[B, E], written.</param>
    /// <exception cref="ArgumentException">A span of the wrong length, or a timestep out of range.</exception>
    public void Encode(ReadOnlySpan<float> x, ReadOnlySpan<long> timesteps, Span<float> embeddings)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var batch = timesteps.Length;
        if (batch == 0)
        {
            throw new ArgumentException("expected one timestep per row, got none", nameof(timesteps));
        }

        RuntimeArguments.RequireLength(nameof(x), x.Length, batch, 3, ImageSize, ImageSize);
        RuntimeArguments.RequireLength(nameof(embeddings), embeddings.Length, batch, EmbeddingWidth);
        RuntimeArguments.RequireRange(nameof(timesteps), timesteps, 1, 0, TimestepCount, "timestep");

        using var xValue = OrtTensors.CopyOf(x, TensorElementType.Float, batch, 3, ImageSize, ImageSize);
        using var timestepsValue = OrtTensors.CopyOf(timesteps, TensorElementType.Int64, batch);
        using var embeddingValue = OrtTensors.Allocate(TensorElementType.Float, batch, EmbeddingWidth);
        using var runOptions = new RunOptions();
        _session.Run(runOptions, InputNames, [xValue, timestepsValue], OutputNames, [embeddingValue]);
        embeddingValue.GetTensorDataAsSpan<float>().CopyTo(embeddings);
    }

    /// <summary>
    /// As <see cref="Encode(ReadOnlySpan{float}, ReadOnlySpan{long}, Span{float})"/>, into a new [B, E] array.
    /// </summary>
    public float[] Encode(ReadOnlySpan<float> x, ReadOnlySpan<long> timesteps)
    {
        var embeddings = new float[timesteps.Length * EmbeddingWidth];
        Encode(x, timesteps, embeddings);
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
