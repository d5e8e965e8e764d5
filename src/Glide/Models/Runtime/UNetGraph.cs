using Microsoft.ML.OnnxRuntime;

namespace Glide.Models;

/// <summary>
/// A <c>*.unet</c> graph (FORMAT.md): one denoising evaluation, x_t [B, 3, S, S], original timesteps [B] and the text
/// conditioning (plus <c>low_res</c> or the inpainting inputs for those variants) → <c>model_output</c>
/// [B, 6, S, S], eps ‖ variance value (glide-spec §5, §7.3).
/// </summary>
/// <remarks>
/// Built to be called every step of a diffusion loop: the input and output tensors of each batch size are created
/// once and pooled, so a step copies the caller's spans in and the output out and allocates nothing itself. Runs may
/// overlap on different threads: each takes its own buffers from the pool.
/// </remarks>
public sealed class UNetGraph : IDisposable
{
    internal const string XName = "x_t";
    internal const string TimestepsName = "timesteps";
    internal const string XfProjName = "xf_proj";
    internal const string XfOutName = "xf_out";
    internal const string LowResName = "low_res";
    internal const string InpaintImageName = "inpaint_image";
    internal const string InpaintMaskName = "inpaint_mask";
    internal const string OutputName = "model_output";

    /// <summary>x_t channels: RGB.</summary>
    public const int InChannels = 3;

    /// <summary>model_output channels: eps (0–2) ‖ variance value v (3–5).</summary>
    public const int OutChannels = 6;

    // Idle buffer sets kept across all batch sizes; more are freed on return. A sampler uses one or two batch sizes.
    private const int MaxIdleBuffers = 8;

    private static readonly string[] OutputNames = [OutputName];

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly Lock _poolLock = new();
    private readonly Dictionary<int, Stack<UNetBuffers>> _idle = [];
    private int _idleCount;
    private bool _disposed;

    /// <summary>Wraps <paramref name="session"/>, which it then owns, once the manifest checks pass.</summary>
    internal UNetGraph(ModelManifest manifest, GraphSpec graph, ModelEntry model, InferenceSession session)
    {
        var superRes = graph.Inputs.Any(i => i.Name == LowResName);
        var inpaint = graph.Inputs.Any(i => i.Name is InpaintImageName or InpaintMaskName);
        string[] expected =
        [
            XName, TimestepsName, XfProjName, XfOutName,
            .. superRes ? [LowResName] : Array.Empty<string>(),
            .. inpaint ? [InpaintImageName, InpaintMaskName] : Array.Empty<string>(),
        ];
        GraphContract.RequireNames(manifest, graph, "inputs", graph.Inputs, expected);
        GraphContract.RequireNames(manifest, graph, "outputs", graph.Outputs, OutputName);

        const int batch = GraphContract.Batch;
        const int any = GraphContract.Any;
        var x = GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, XName, TensorDType.Float32, batch, InChannels, any, any);
        var size = x[2];
        GraphContract.Require(
            manifest, graph, x[3] == size, $"inputs ({XName}).shape",
            $"expected a square image, got [batch, 3, {size}, {x[3]}]");
        GraphContract.RequireTensor(manifest, graph, "inputs", graph.Inputs, TimestepsName, TensorDType.Int64, batch);
        var xfProj = GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, XfProjName, TensorDType.Float32, batch, any);
        var xfOut = GraphContract.RequireTensor(
            manifest, graph, "inputs", graph.Inputs, XfOutName, TensorDType.Float32, batch, any, any);
        if (superRes)
        {
            var lowRes = GraphContract.RequireTensor(
                manifest, graph, "inputs", graph.Inputs, LowResName, TensorDType.Float32, batch, InChannels, any, any);
            GraphContract.Require(
                manifest, graph, lowRes[3] == lowRes[2], $"inputs ({LowResName}).shape",
                $"expected a square image, got [batch, 3, {lowRes[2]}, {lowRes[3]}]");
            LowResSize = lowRes[2];
        }

        if (inpaint)
        {
            GraphContract.RequireTensor(
                manifest, graph, "inputs", graph.Inputs, InpaintImageName, TensorDType.Float32, batch, InChannels, size,
                size);
            GraphContract.RequireTensor(
                manifest, graph, "inputs", graph.Inputs, InpaintMaskName, TensorDType.Float32, batch, 1, size, size);
        }

        GraphContract.RequireTensor(
            manifest, graph, "outputs", graph.Outputs, OutputName, TensorDType.Float32, batch, OutChannels, size, size);

        var imageSize = GraphContract.RequireIntOption(manifest, graph, model, "image_size");
        GraphContract.Require(
            manifest, graph, imageSize == size, $"inputs ({XName}).shape",
            $"expected [batch, 3, {imageSize}, {imageSize}] (the model's image_size), got [batch, 3, {size}, {size}]");

        Graph = graph;
        Model = model;
        ImageSize = size;
        ProjectionWidth = xfProj[1];
        TextWidth = xfOut[1];
        ContextLength = xfOut[2];
        HasLowRes = superRes;
        HasInpaint = inpaint;
        _inputNames = [.. graph.Inputs.Select(i => i.Name)];
        _session = session;
    }

    public GraphSpec Graph { get; }

    /// <summary>The graph's name, e.g. <c>base.unet</c>.</summary>
    public string Name => Graph.Name;

    /// <summary>The model's manifest entry: kind and every build option.</summary>
    public ModelEntry Model { get; }

    /// <summary>S: the side of x_t and model_output (64 for the base, 256 for the upsampler).</summary>
    public int ImageSize { get; }

    /// <summary>D: the width of the <c>xf_proj</c> input.</summary>
    public int ProjectionWidth { get; }

    /// <summary>W: the width of the <c>xf_out</c> input (<c>xf_width</c>).</summary>
    public int TextWidth { get; }

    /// <summary>T: the last axis of the <c>xf_out</c> input (<c>text_ctx</c>).</summary>
    public int ContextLength { get; }

    /// <summary>True for the upsamplers: <see cref="UNetExtras.LowRes"/> is required.</summary>
    public bool HasLowRes { get; }

    /// <summary>The side of <c>low_res</c>, or 0 when <see cref="HasLowRes"/> is false.</summary>
    public int LowResSize { get; }

    /// <summary>
    /// True for the inpainting models: <see cref="UNetExtras.InpaintImage"/> and <see cref="UNetExtras.InpaintMask"/>
    /// are required.
    /// </summary>
    public bool HasInpaint { get; }

    /// <summary>Values per row of x_t: 3·S·S.</summary>
    public int InputRowLength => InChannels * ImageSize * ImageSize;

    /// <summary>Values per row of model_output: 6·S·S.</summary>
    public int OutputRowLength => OutChannels * ImageSize * ImageSize;

    /// <summary>Runs one evaluation on B = <c>timesteps.Length</c> rows.</summary>
    /// <param name="x">x_t [B, 3, S, S].</param>
    /// <param name="timesteps">[B] original (unspaced) timesteps, 0…999.</param>
    /// <param name="text">B rows of conditioning, e.g. from <see cref="TextConditioning.ForGuidance"/>.</param>
    /// <param name="extras">The variant's extra inputs; null for the plain base model.</param>
    /// <param name="output">model_output [B, 6, S, S].</param>
    /// <exception cref="ArgumentException">A span, the text or an extra input of the wrong size, or an extra input
    /// missing or not taken by this graph.</exception>
    public void Run(
        ReadOnlySpan<float> x, ReadOnlySpan<long> timesteps, TextConditioning text, UNetExtras? extras,
        Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(text);
        var batch = timesteps.Length;
        if (batch == 0)
        {
            throw new ArgumentException("expected one timestep per row, got none", nameof(timesteps));
        }

        RuntimeArguments.RequireLength(nameof(x), x.Length, batch, InChannels, ImageSize, ImageSize);
        RuntimeArguments.RequireLength(nameof(output), output.Length, batch, OutChannels, ImageSize, ImageSize);
        CheckText(text, batch);
        var lowRes = CheckExtra(HasLowRes, LowResName, extras?.LowRes, batch, InChannels, LowResSize);
        var inpaintImage = CheckExtra(HasInpaint, InpaintImageName, extras?.InpaintImage, batch, InChannels, ImageSize);
        var inpaintMask = CheckExtra(HasInpaint, InpaintMaskName, extras?.InpaintMask, batch, 1, ImageSize);

        var buffers = Rent(batch);
        try
        {
            x.CopyTo(buffers.X);
            timesteps.CopyTo(buffers.Timesteps);
            if (!ReferenceEquals(buffers.Text, text))
            {
                buffers.Text = null;
                text.XfProj.CopyTo(buffers.XfProj);
                text.XfOut.CopyTo(buffers.XfOut);
                buffers.Text = text;
            }

            lowRes.CopyTo(buffers.LowRes);
            inpaintImage.CopyTo(buffers.InpaintImage);
            inpaintMask.CopyTo(buffers.InpaintMask);

            _session.Run(buffers.RunOptions, _inputNames, buffers.Inputs, OutputNames, buffers.Outputs);
            buffers.Output.CopyTo(output);
        }
        finally
        {
            Return(buffers);
        }
    }

    /// <summary>Frees the pooled buffers not in use, e.g. after a stage whose batch size will not come again.</summary>
    public void ReleaseBuffers()
    {
        List<UNetBuffers> released;
        lock (_poolLock)
        {
            released = [.. _idle.Values.SelectMany(s => s)];
            _idle.Clear();
            _idleCount = 0;
        }

        foreach (var buffers in released)
        {
            buffers.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_poolLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        ReleaseBuffers();
        _session.Dispose();
    }

    private void CheckText(TextConditioning text, int batch)
    {
        if (text.Batch != batch || text.ProjectionWidth != ProjectionWidth || text.Width != TextWidth
            || text.ContextLength != ContextLength)
        {
            throw new ArgumentException(
                $"expected xf_proj [{batch}, {ProjectionWidth}] and xf_out [{batch}, {TextWidth}, {ContextLength}] " +
                $"for {Name} at batch {batch}, got xf_proj [{text.Batch}, {text.ProjectionWidth}] and " +
                $"xf_out [{text.Batch}, {text.Width}, {text.ContextLength}]",
                nameof(text));
        }
    }

    private ReadOnlySpan<float> CheckExtra(
        bool taken, string name, ReadOnlyMemory<float>? extra, int batch, int channels, int size)
    {
        var value = extra ?? default;
        if (!taken)
        {
            return value.IsEmpty
                ? default
                : throw new ArgumentException(
                    $"{Name} takes no {name}, but extras has {value.Length} values for it", "extras");
        }

        if (value.IsEmpty)
        {
            var shape = RuntimeArguments.FormatShape(batch, [channels, size, size]);
            throw new ArgumentException($"{Name} needs {name} {shape}, but extras has none", "extras");
        }

        RuntimeArguments.RequireLength($"extras ({name})", value.Length, batch, channels, size, size);
        return value.Span;
    }

    private UNetBuffers Rent(int batch)
    {
        lock (_poolLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryGetValue(batch, out var idle) && idle.TryPop(out var buffers))
            {
                _idleCount--;
                return buffers;
            }
        }

        return new UNetBuffers(batch, Graph.Inputs, Graph.Outputs[0]);
    }

    private void Return(UNetBuffers buffers)
    {
        lock (_poolLock)
        {
            if (!_disposed && _idleCount < MaxIdleBuffers)
            {
                if (!_idle.TryGetValue(buffers.Batch, out var idle))
                {
                    idle = new Stack<UNetBuffers>();
                    _idle.Add(buffers.Batch, idle);
                }

                idle.Push(buffers);
                _idleCount++;
                return;
            }
        }

        buffers.Dispose();
    }
}
