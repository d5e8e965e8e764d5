using System.Numerics;
using Glide.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Glide.Models;

/// <summary>
/// Runs one exported graph on the inputs stored in its verify <c>.npz</c> and compares each output with the PyTorch
/// output stored beside them (FORMAT.md, "verify/&lt;graph&gt;.npz").
/// </summary>
public sealed class GraphVerifier
{
    private const string InputPrefix = "in.";
    private const string OutputPrefix = "out.";

    private readonly ModelManifest _manifest;

    public GraphVerifier(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _manifest = manifest;
    }

    /// <exception cref="ModelManifestException">The graph or its verify file does not match the manifest.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load or run the graph.</exception>
    public GraphVerificationResult Verify(GraphSpec graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var batch = graph.Verify.Batch;

        // One session per graph, on the CPU execution provider: verification is about numbers, not speed.
        using var options = new SessionOptions();
        using var session = new InferenceSession(_manifest.ResolvePath(graph.File), options);
        _manifest.ValidateSession(graph, session);

        var reference = NpzReader.Read(_manifest.ResolvePath(graph.Verify.File));
        CheckKeys(graph, reference);

        var inputValues = new List<OrtValue>(graph.Inputs.Count);
        try
        {
            foreach (var spec in graph.Inputs)
            {
                var array = reference[InputPrefix + spec.Name];
                CheckArray(graph, spec, InputPrefix, array, batch);
                inputValues.Add(CreateValue(array));
            }

            using var runOptions = new RunOptions();
            var outputNames = graph.Outputs.Select(o => o.Name).ToList();
            using var results = session.Run(runOptions, [.. graph.Inputs.Select(i => i.Name)], inputValues, outputNames);

            var comparisons = new List<OutputComparison>(graph.Outputs.Count);
            var index = 0;
            foreach (var value in results)
            {
                var spec = graph.Outputs[index++];
                var expected = reference[OutputPrefix + spec.Name];
                CheckArray(graph, spec, OutputPrefix, expected, batch);
                CheckOutputShape(graph, spec, value, expected);
                comparisons.Add(Compare(spec.Name, value, expected));
            }

            return new GraphVerificationResult(graph.Name, batch, comparisons);
        }
        finally
        {
            foreach (var value in inputValues)
            {
                value.Dispose();
            }
        }
    }

    private void CheckKeys(GraphSpec graph, NpzArchive reference)
    {
        var expected = graph.Inputs.Select(i => InputPrefix + i.Name)
            .Concat(graph.Outputs.Select(o => OutputPrefix + o.Name))
            .Order(StringComparer.Ordinal)
            .ToList();
        var actual = reference.Keys.Order(StringComparer.Ordinal).ToList();
        if (!expected.SequenceEqual(actual))
        {
            throw VerifyFileError(
                graph, $"expected arrays [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
        }
    }

    private void CheckArray(GraphSpec graph, TensorSpec spec, string prefix, NpyArray array, int batch)
    {
        var expectedShape = spec.ResolveShape(batch);
        if (array.DType != ToNpyDType(spec.DType) || !array.Shape.SequenceEqual(expectedShape))
        {
            throw VerifyFileError(
                graph,
                $"array '{prefix}{spec.Name}': expected {TensorDTypeJsonConverter.ToJsonName(spec.DType)} " +
                $"[{string.Join(", ", expectedShape)}] (batch {batch}), got {array.DType.ToString().ToLowerInvariant()} {array.FormatShape()}");
        }
    }

    private void CheckOutputShape(GraphSpec graph, TensorSpec spec, OrtValue value, NpyArray expected)
    {
        var info = value.GetTensorTypeAndShape();
        if (!info.Shape.SequenceEqual(expected.GetLongShape()))
        {
            throw new ModelManifestException(
                _manifest.ManifestPath, graph.Name, $"outputs ({spec.Name}).shape",
                $"expected [{string.Join(", ", expected.Shape)}] for batch {graph.Verify.Batch}, " +
                $"but ONNX Runtime produced [{string.Join(", ", info.Shape)}]");
        }
    }

    private ModelManifestException VerifyFileError(GraphSpec graph, string detail) =>
        new(_manifest.ManifestPath, graph.Name, "verify.file", $"{graph.Verify.File}: {detail}");

    private static NpyDType ToNpyDType(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => NpyDType.Float32,
        TensorDType.Int64 => NpyDType.Int64,
        TensorDType.Bool => NpyDType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    // The OrtValue pins the array it wraps: the array must outlive it, which the NpzArchive guarantees here.
    private static OrtValue CreateValue(NpyArray array) => array.DType switch
    {
        NpyDType.Float32 => OrtValue.CreateTensorValueFromMemory(array.AsSingle(), array.GetLongShape()),
        NpyDType.Int64 => OrtValue.CreateTensorValueFromMemory(array.AsInt64(), array.GetLongShape()),
        NpyDType.Bool => OrtValue.CreateTensorValueFromMemory(array.AsBoolean(), array.GetLongShape()),
        _ => throw new ArgumentOutOfRangeException(nameof(array), array.DType, "no graph tensor has this dtype"),
    };

    private static OutputComparison Compare(string name, OrtValue actual, NpyArray expected) => expected.DType switch
    {
        NpyDType.Float32 => Measure(name, actual.GetTensorDataAsSpan<float>(), expected.AsSingle()),
        NpyDType.Int64 => Measure(name, actual.GetTensorDataAsSpan<long>(), expected.AsInt64()),
        NpyDType.Bool => Measure(
            name,
            Array.ConvertAll(actual.GetTensorDataAsSpan<bool>().ToArray(), b => b ? 1L : 0L),
            Array.ConvertAll(expected.AsBoolean(), b => b ? 1L : 0L)),
        _ => throw new ArgumentOutOfRangeException(nameof(expected), expected.DType, "no graph tensor has this dtype"),
    };

    private static OutputComparison Measure<T>(string name, ReadOnlySpan<T> actual, ReadOnlySpan<T> expected)
        where T : INumberBase<T>
    {
        var maxError = 0.0;
        var maxReference = 0.0;
        var sawNaN = false;
        for (var i = 0; i < expected.Length; i++)
        {
            var reference = double.CreateTruncating(expected[i]);
            var error = Math.Abs(double.CreateTruncating(actual[i]) - reference);

            // NaN never compares greater, so Math.Max-style folding would lose it; remember it explicitly.
            sawNaN |= double.IsNaN(error);
            if (error > maxError)
            {
                maxError = error;
            }

            var magnitude = Math.Abs(reference);
            if (magnitude > maxReference)
            {
                maxReference = magnitude;
            }
        }

        return new OutputComparison(name, sawNaN ? double.NaN : maxError, Math.Max(1.0, maxReference));
    }
}
