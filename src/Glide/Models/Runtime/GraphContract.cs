using System.Globalization;
using System.Text.Json;

namespace Glide.Models;

/// <summary>
/// The FORMAT.md signature checks a graph wrapper makes on its <see cref="GraphSpec"/> (which
/// <see cref="ModelManifest.ValidateSession"/> has already matched with the session), and the model options it reads.
/// </summary>
internal static class GraphContract
{
    /// <summary>Pattern entry for the dynamic batch axis.</summary>
    public const int Batch = 0;

    /// <summary>Pattern entry for a fixed dimension of any size.</summary>
    public const int Any = -1;

    /// <summary>Checks that <paramref name="actual"/> has exactly the <paramref name="expected"/> names.</summary>
    public static void RequireNames(
        ModelManifest manifest, GraphSpec graph, string field, IReadOnlyList<TensorSpec> actual,
        params string[] expected)
    {
        var names = actual.Select(t => t.Name).ToList();
        if (names.Count != expected.Length || !expected.All(names.Contains))
        {
            throw Error(
                manifest, graph, field,
                $"expected [{string.Join(", ", expected)}] for a {graph.Name} graph, got [{string.Join(", ", names)}]");
        }
    }

    /// <summary>
    /// Finds tensor <paramref name="name"/> and checks its dtype and shape against <paramref name="pattern"/>
    /// (<see cref="Batch"/>, <see cref="Any"/> or an exact size per axis).
    /// </summary>
    /// <returns>The dimensions, the batch axis as 0.</returns>
    public static int[] RequireTensor(
        ModelManifest manifest, GraphSpec graph, string field, IReadOnlyList<TensorSpec> tensors, string name,
        TensorDType dtype, params int[] pattern)
    {
        var spec = tensors.First(t => t.Name == name);
        if (spec.DType != dtype)
        {
            throw Error(
                manifest, graph, $"{field} ({name}).dtype",
                $"expected {TensorDTypeJsonConverter.ToJsonName(dtype)}, " +
                $"got {TensorDTypeJsonConverter.ToJsonName(spec.DType)}");
        }

        var ok = spec.Shape.Count == pattern.Length;
        for (var d = 0; ok && d < pattern.Length; d++)
        {
            ok = pattern[d] switch
            {
                Batch => spec.Shape[d].IsBatch,
                Any => !spec.Shape[d].IsBatch,
                _ => spec.Shape[d].Size == pattern[d],
            };
        }

        if (!ok)
        {
            throw Error(
                manifest, graph, $"{field} ({name}).shape",
                $"expected {FormatPattern(pattern)}, got {ShapeDim.Format(spec.Shape)}");
        }

        return [.. spec.Shape.Select(d => d.Size ?? 0)];
    }

    /// <summary>Throws a <see cref="ModelManifestException"/> unless <paramref name="condition"/>.</summary>
    public static void Require(ModelManifest manifest, GraphSpec graph, bool condition, string field, string detail)
    {
        if (!condition)
        {
            throw Error(manifest, graph, field, detail);
        }
    }

    /// <summary>A positive integer option of <paramref name="graph"/>'s model (glide-spec §3.1 names).</summary>
    public static int RequireIntOption(ModelManifest manifest, GraphSpec graph, ModelEntry model, string option)
    {
        if (model.Options.TryGetValue(option, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out var number)
            && number > 0)
        {
            return number;
        }

        var actual = model.Options.ContainsKey(option) ? value.GetRawText() : "nothing";
        throw new ModelManifestException(
            manifest.ManifestPath, null, $"models.{graph.Model}.options.{option}",
            $"expected a positive integer (graph '{graph.Name}' needs it), got {actual}");
    }

    public static ModelManifestException Error(ModelManifest manifest, GraphSpec graph, string field, string detail) =>
        new(manifest.ManifestPath, graph.Name, field, detail);

    private static string FormatPattern(int[] pattern) =>
        "[" + string.Join(", ", pattern.Select(p => p switch
        {
            Batch => ShapeDim.BatchName,
            Any => "*",
            _ => p.ToString(CultureInfo.InvariantCulture),
        })) + "]";
}
