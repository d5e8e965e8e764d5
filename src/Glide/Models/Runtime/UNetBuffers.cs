using Microsoft.ML.OnnxRuntime;

namespace Glide.Models;

/// <summary>
/// One batch size's worth of UNet inputs and output: arrays on the pinned object heap (so keeping them pinned for
/// the tensors' lifetime costs the GC nothing), each wrapped once in an <see cref="OrtValue"/>, reused step after step.
/// Used by one run at a time; <see cref="UNetGraph"/> pools them.
/// </summary>
internal sealed class UNetBuffers : IDisposable
{
    private readonly List<OrtValue> _owned = [];

    /// <param name="batch">Rows.</param>
    /// <param name="inputs">The graph's inputs, in the order <see cref="Inputs"/> will have them.</param>
    /// <param name="output">The graph's one output.</param>
    public UNetBuffers(int batch, IReadOnlyList<TensorSpec> inputs, TensorSpec output)
    {
        Batch = batch;
        RunOptions = new RunOptions();
        try
        {
            var values = new OrtValue[inputs.Count];
            for (var i = 0; i < inputs.Count; i++)
            {
                var spec = inputs[i];
                values[i] = spec.Name switch
                {
                    UNetGraph.XName => Wrap(X = Allocate<float>(spec, batch), spec, batch),
                    UNetGraph.TimestepsName => Wrap(Timesteps = Allocate<long>(spec, batch), spec, batch),
                    UNetGraph.XfProjName => Wrap(XfProj = Allocate<float>(spec, batch), spec, batch),
                    UNetGraph.XfOutName => Wrap(XfOut = Allocate<float>(spec, batch), spec, batch),
                    UNetGraph.LowResName => Wrap(LowRes = Allocate<float>(spec, batch), spec, batch),
                    UNetGraph.InpaintImageName => Wrap(InpaintImage = Allocate<float>(spec, batch), spec, batch),
                    UNetGraph.InpaintMaskName => Wrap(InpaintMask = Allocate<float>(spec, batch), spec, batch),
                    _ => throw new InvalidOperationException($"no buffer for UNet input '{spec.Name}'"),
                };
            }

            Inputs = values;
            Outputs = [Wrap(Output = Allocate<float>(output, batch), output, batch)];
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Batch { get; }

    public float[] X { get; } = [];

    public long[] Timesteps { get; } = [];

    public float[] XfProj { get; } = [];

    public float[] XfOut { get; } = [];

    /// <summary>Empty when the graph has no such input.</summary>
    public float[] LowRes { get; } = [];

    /// <summary>Empty when the graph has no such input.</summary>
    public float[] InpaintImage { get; } = [];

    /// <summary>Empty when the graph has no such input.</summary>
    public float[] InpaintMask { get; } = [];

    public float[] Output { get; } = [];

    /// <summary>The input tensors, in the order of the graph's input names.</summary>
    public OrtValue[] Inputs { get; } = [];

    public OrtValue[] Outputs { get; } = [];

    public RunOptions RunOptions { get; }

    /// <summary>
    /// The conditioning whose rows <see cref="XfProj"/> and <see cref="XfOut"/> hold: a diffusion loop passes the same
    /// (immutable) instance every step, so it is copied once.
    /// </summary>
    public TextConditioning? Text { get; set; }

    public void Dispose()
    {
        foreach (var value in _owned)
        {
            value.Dispose();
        }

        _owned.Clear();
        RunOptions.Dispose();
        Text = null;
    }

    private static T[] Allocate<T>(TensorSpec spec, int batch)
    {
        long count = 1;
        foreach (var dim in spec.ResolveShape(batch))
        {
            count *= dim;
        }

        return GC.AllocateUninitializedArray<T>(checked((int)count), pinned: true);
    }

    private OrtValue Wrap<T>(T[] array, TensorSpec spec, int batch)
        where T : unmanaged
    {
        var shape = Array.ConvertAll(spec.ResolveShape(batch), d => (long)d);
        var value = OrtValue.CreateTensorValueFromMemory(array, shape);
        _owned.Add(value);
        return value;
    }
}
