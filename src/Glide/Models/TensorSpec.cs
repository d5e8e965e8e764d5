using System.Text.Json.Serialization;

namespace Glide.Models;

/// <summary>A graph input or output as the manifest declares it.</summary>
public sealed record TensorSpec
{
    public required string Name { get; init; }

    [JsonPropertyName("dtype")]
    public required TensorDType DType { get; init; }

    public required IReadOnlyList<ShapeDim> Shape { get; init; }

    /// <summary>The concrete shape for a run with <paramref name="batch"/> items.</summary>
    public int[] ResolveShape(int batch) => [.. Shape.Select(d => d.Resolve(batch))];

    public override string ToString() =>
        $"{Name} {TensorDTypeJsonConverter.ToJsonName(DType)} {ShapeDim.Format(Shape)}";
}
