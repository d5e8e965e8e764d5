using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Glide.Models;

/// <summary>Compares a graph's declared inputs or outputs with what an ONNX Runtime session reports.</summary>
internal static class SessionSignatureValidator
{
    public static void Validate(
        string manifestPath,
        GraphSpec graph,
        string field,
        IReadOnlyList<TensorSpec> declared,
        IReadOnlyDictionary<string, NodeMetadata> actual)
    {
        var declaredNames = declared.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = declared.Select(t => t.Name).Where(n => !actual.ContainsKey(n)).ToList();
        var extra = actual.Keys.Where(n => !declaredNames.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            throw new ModelManifestException(
                manifestPath, graph.Name, field,
                $"expected [{string.Join(", ", declared.Select(t => t.Name))}], but {graph.File} has " +
                $"[{string.Join(", ", actual.Keys)}] (missing: [{string.Join(", ", missing)}], " +
                $"undeclared: [{string.Join(", ", extra)}])");
        }

        for (var i = 0; i < declared.Count; i++)
        {
            var spec = declared[i];
            var node = actual[spec.Name];
            var tensorField = $"{field}[{i}] ({spec.Name})";
            if (!node.IsTensor)
            {
                throw new ModelManifestException(
                    manifestPath, graph.Name, tensorField, $"expected a tensor, got a {node.OnnxValueType} value");
            }

            var expectedType = ToElementType(spec.DType);
            if (node.ElementDataType != expectedType)
            {
                throw new ModelManifestException(
                    manifestPath, graph.Name, $"{tensorField}.dtype",
                    $"expected {TensorDTypeJsonConverter.ToJsonName(spec.DType)}, but the graph has {Describe(node.ElementDataType)}");
            }

            if (!ShapeMatches(spec.Shape, node.Dimensions))
            {
                throw new ModelManifestException(
                    manifestPath, graph.Name, $"{tensorField}.shape",
                    $"expected {ShapeDim.Format(spec.Shape)}, but the graph has {FormatDimensions(node)}");
            }
        }
    }

    public static TensorElementType ToElementType(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => TensorElementType.Float,
        TensorDType.Int64 => TensorElementType.Int64,
        TensorDType.Bool => TensorElementType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    private static string Describe(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Int64 => "int64",
        TensorElementType.Bool => "bool",
        _ => type.ToString().ToLowerInvariant(),
    };

    // ORT reports a dynamic (symbolic or unknown) dimension as -1. The batch axis must be dynamic, and a fixed
    // dimension must be exactly that size: an unknown one would hide a graph the exporter failed to pin down.
    private static bool ShapeMatches(IReadOnlyList<ShapeDim> expected, int[] actual)
    {
        if (expected.Count != actual.Length)
        {
            return false;
        }

        for (var d = 0; d < actual.Length; d++)
        {
            var ok = expected[d].Size is { } size ? actual[d] == size : actual[d] < 0;
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static string FormatDimensions(NodeMetadata node)
    {
        var dims = node.Dimensions;
        var symbols = node.SymbolicDimensions;
        var parts = new string[dims.Length];
        for (var d = 0; d < dims.Length; d++)
        {
            parts[d] = dims[d] >= 0
                ? dims[d].ToString(System.Globalization.CultureInfo.InvariantCulture)
                : d < symbols.Length && !string.IsNullOrEmpty(symbols[d]) ? $"{symbols[d]} (dynamic)" : "? (dynamic)";
        }

        return $"[{string.Join(", ", parts)}]";
    }
}
