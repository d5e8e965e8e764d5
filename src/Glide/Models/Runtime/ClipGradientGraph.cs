using Microsoft.ML.OnnxRuntime;

namespace Glide.Models;

/// <summary>
/// The CLIP-guidance gradient, <c>clip.grad</c> (FORMAT.md; glide-spec §8.4, §9): x_t [R, 3, S, S] in [−1, 1],
/// original timesteps [R] and L2-normalised text embeddings [R, E] → <c>grad</c> [R, 3, S, S], the gradient of
/// exp(logit_scale)·Σ_rows z_i·z_t with respect to x_t, where z_i is the normalised <c>clip.image</c> embedding of
/// (x_t, t). The logit factor (100) is in the graph; the guidance scale (3.0) is not.
/// </summary>
/// <remarks>
/// The exporter traces forward and backward into one graph with <c>make_fx</c>, which fixes every shape, so R (rows
/// per run, <see cref="RowsPerRun"/>) is a fixed size, 1 in the exports so far. The <c>Gradient</c> methods take
/// any number of rows and run the graph on R at a time; rows are independent (the loss is a sum of per-row terms),
/// so the result does not depend on R. A graph whose batch axis is dynamic (<c>"batch"</c>) runs all rows at once.
/// Like <see cref="UNetGraph"/>, the tensors are created once per run size and pooled, so a diffusion step allocates
/// nothing; runs may overlap on different threads.
/// </remarks>
public sealed class ClipGradientGraph : IDisposable
{
    private const string XName = "x_t";
    private const string TimestepsName = "timesteps";
    private const string TextName = "text_emb";
    private const string GradName = "grad";
    private const int MaxIdleBuffers = 4;

    private static readonly string[] InputNames = [XName, TimestepsName, TextName];
    private static readonly string[] OutputNames = [GradName];

    private readonly InferenceSession _session;
    private readonly Lock _poolLock = new();
    private readonly List<Buffers> _idle = [];
    private bool _disposed;

    /// <summary>Wraps <paramref name="session"/>, which it then owns, once the manifest checks pass.</summary>
    internal ClipGradientGraph(ModelManifest manifest, GraphSpec graph, ModelEntry model, InferenceSession session)
    {
        GraphContract.RequireNames(manifest, graph, "inputs", graph.Inputs, InputNames);
        GraphContract.RequireNames(manifest, graph, "outputs", graph.Outputs, OutputNames);

        // The batch axis is either dynamic or one fixed size R shared by every input and the output.
        var first = graph.Inputs.First(t => t.Name == XName).Shape;
        var rows = first.Count > 0 && first[0].Size is { } fixedRows ? fixedRows : GraphContract.Batch;
        var any = GraphContract.Any;
        var x = GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, XName, TensorDType.Float32, rows, 3, any, any);
        GraphContract.RequireTensor(manifest, graph, "inputs", graph.Inputs, TimestepsName, TensorDType.Int64, rows);
        var text = GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, TextName, TensorDType.Float32, rows, any);
        GraphContract.RequireTensor(
            manifest, graph, "outputs", graph.Outputs, GradName, TensorDType.Float32, rows, 3, x[2], x[3]);

        var imageSize = GraphContract.RequireIntOption(manifest, graph, model, "image_size");
        GraphContract.Require(
            manifest, graph, x[2] == imageSize && x[3] == imageSize, $"inputs ({XName}).shape",
            $"expected [{Describe(rows)}, 3, {imageSize}, {imageSize}] (the model's image_size), " +
            $"got [{Describe(rows)}, 3, {x[2]}, {x[3]}]");
        var embeddingWidth = GraphContract.RequireIntOption(manifest, graph, model, "n_embd");
        GraphContract.Require(
            manifest, graph, text[1] == embeddingWidth, $"inputs ({TextName}).shape",
            $"expected [{Describe(rows)}, {embeddingWidth}] (the model's n_embd), got [{Describe(rows)}, {text[1]}]");

        Graph = graph;
        Model = model;
        ImageSize = imageSize;
        EmbeddingWidth = embeddingWidth;
        TimestepCount = GraphContract.RequireIntOption(manifest, graph, model, "n_timesteps");
        RowsPerRun = rows == GraphContract.Batch ? null : rows;
        _session = session;
    }

    public GraphSpec Graph { get; }

    public string Name => Graph.Name;

    /// <summary>The model's manifest entry: kind and every build option.</summary>
    public ModelEntry Model { get; }

    /// <summary>S: the side of x_t (64).</summary>
    public int ImageSize { get; }

    /// <summary>E: the width of the text embedding input.</summary>
    public int EmbeddingWidth { get; }

    /// <summary>Timesteps must lie in [0, <c>n_timesteps</c>).</summary>
    public int TimestepCount { get; }

    /// <summary>R: the graph's fixed batch size (1 as exported), or null when its batch axis is dynamic.</summary>
    public int? RowsPerRun { get; }

    /// <summary>Values per row of x_t and of the gradient: 3·S·S.</summary>
    public int RowLength => 3 * ImageSize * ImageSize;

    /// <summary>The gradient for B = <c>timesteps.Length</c> rows.</summary>
    /// <param name="x">x_t [B, 3, S, S] in [−1, 1].</param>
    /// <param name="timesteps">[B] original (unspaced) timesteps, the ones the UNet saw.</param>
    /// <param name="textEmbeddings">[B, E]: each row's L2-normalised <c>clip.text</c> embedding (the prompt's,
    /// repeated).</param>
    /// <param name="gradient">[B, 3, S, S], written: ∂(exp(logit_scale)·z_i·z_t)/∂x_t per row, without the guidance
    /// scale.</param>
    /// <exception cref="ArgumentException">A span of the wrong length, or a timestep out of range.</exception>
    public void Gradient(
        ReadOnlySpan<float> x, ReadOnlySpan<long> timesteps, ReadOnlySpan<float> textEmbeddings, Span<float> gradient)
    {
        var batch = timesteps.Length;
        if (batch == 0)
        {
            throw new ArgumentException("expected one timestep per row, got none", nameof(timesteps));
        }

        RuntimeArguments.RequireLength(nameof(x), x.Length, batch, 3, ImageSize, ImageSize);
        RuntimeArguments.RequireLength(nameof(textEmbeddings), textEmbeddings.Length, batch, EmbeddingWidth);
        RuntimeArguments.RequireLength(nameof(gradient), gradient.Length, batch, 3, ImageSize, ImageSize);
        RuntimeArguments.RequireRange(nameof(timesteps), timesteps, 1, 0, TimestepCount, "timestep");

        var rowsPerRun = RowsPerRun ?? batch;
        var row = RowLength;
        var buffers = Rent(rowsPerRun);
        try
        {
            for (var start = 0; start < batch; start += rowsPerRun)
            {
                var rows = Math.Min(rowsPerRun, batch - start);
                x.Slice(start * row, rows * row).CopyTo(buffers.X);
                timesteps.Slice(start, rows).CopyTo(buffers.Timesteps);
                textEmbeddings.Slice(start * EmbeddingWidth, rows * EmbeddingWidth).CopyTo(buffers.Text);
                if (rows < rowsPerRun)
                {
                    // The last run of a fixed-size graph is padded with zero rows, whose output is dropped.
                    buffers.X.AsSpan(rows * row).Clear();
                    buffers.Timesteps.AsSpan(rows).Clear();
                    buffers.Text.AsSpan(rows * EmbeddingWidth).Clear();
                }

                _session.Run(buffers.RunOptions, InputNames, buffers.Inputs, OutputNames, buffers.Outputs);
                buffers.Grad.AsSpan(0, rows * row).CopyTo(gradient.Slice(start * row, rows * row));
            }
        }
        finally
        {
            Return(buffers);
        }
    }

    /// <summary>As <see cref="Gradient(ReadOnlySpan{float}, ReadOnlySpan{long}, ReadOnlySpan{float}, Span{float})"/>,
    /// into a new [B, 3, S, S] array.</summary>
    public float[] Gradient(ReadOnlySpan<float> x, ReadOnlySpan<long> timesteps, ReadOnlySpan<float> textEmbeddings)
    {
        var gradient = new float[timesteps.Length * RowLength];
        Gradient(x, timesteps, textEmbeddings, gradient);
        return gradient;
    }

    public void Dispose()
    {
        List<Buffers> idle;
        lock (_poolLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var buffers in idle)
        {
            buffers.Dispose();
        }

        _session.Dispose();
    }

    /// <summary>Checks that the gradient graph fits the clip model's other graphs (same image size and width).</summary>
    internal void CheckCompanions(ModelManifest manifest, ClipTextGraph? text, ClipImageGraph? image)
    {
        GraphContract.Require(
            manifest, Graph, text is null || text.EmbeddingWidth == EmbeddingWidth, $"inputs ({TextName}).shape",
            $"expected [*, {text?.EmbeddingWidth}] as {text?.Name} produces it, got [*, {EmbeddingWidth}]");
        GraphContract.Require(
            manifest, Graph, image is null || image.ImageSize == ImageSize, $"inputs ({XName}).shape",
            $"expected images of {image?.ImageSize}×{image?.ImageSize} as {image?.Name} takes them, " +
            $"got {ImageSize}×{ImageSize}");
    }

    private static string Describe(int rows) =>
        rows == GraphContract.Batch ? ShapeDim.BatchName : rows.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Buffers Rent(int rows)
    {
        lock (_poolLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var k = _idle.Count - 1; k >= 0; k--)
            {
                if (_idle[k].Rows == rows)
                {
                    var buffers = _idle[k];
                    _idle.RemoveAt(k);
                    return buffers;
                }
            }
        }

        return new Buffers(rows, ImageSize, EmbeddingWidth);
    }

    private void Return(Buffers buffers)
    {
        lock (_poolLock)
        {
            if (!_disposed && _idle.Count < MaxIdleBuffers)
            {
                _idle.Add(buffers);
                return;
            }
        }

        buffers.Dispose();
    }

    /// <summary>One run size's tensors over pinned arrays, created once and reused run after run.</summary>
    private sealed class Buffers : IDisposable
    {
        public Buffers(int rows, int imageSize, int embeddingWidth)
        {
            Rows = rows;
            X = GC.AllocateUninitializedArray<float>(rows * 3 * imageSize * imageSize, pinned: true);
            Timesteps = GC.AllocateArray<long>(rows, pinned: true);
            Text = GC.AllocateUninitializedArray<float>(rows * embeddingWidth, pinned: true);
            Grad = GC.AllocateUninitializedArray<float>(rows * 3 * imageSize * imageSize, pinned: true);
            long[] image = [rows, 3, imageSize, imageSize];
            RunOptions = new RunOptions();
            Inputs =
            [
                OrtValue.CreateTensorValueFromMemory(X, image),
                OrtValue.CreateTensorValueFromMemory(Timesteps, [rows]),
                OrtValue.CreateTensorValueFromMemory(Text, [rows, embeddingWidth]),
            ];
            Outputs = [OrtValue.CreateTensorValueFromMemory(Grad, image)];
        }

        public int Rows { get; }

        public float[] X { get; }

        public long[] Timesteps { get; }

        public float[] Text { get; }

        public float[] Grad { get; }

        public RunOptions RunOptions { get; }

        public OrtValue[] Inputs { get; }

        public OrtValue[] Outputs { get; }

        public void Dispose()
        {
            foreach (var value in Inputs)
            {
                value.Dispose();
            }

            Outputs[0].Dispose();
            RunOptions.Dispose();
        }
    }
}
