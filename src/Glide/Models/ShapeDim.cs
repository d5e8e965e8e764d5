using System.Globalization;
using System.Text.Json.Serialization;

namespace Glide.Models;

/// <summary>One dimension of a manifest shape: a fixed size, or the dynamic batch axis (<c>"batch"</c>).</summary>
[JsonConverter(typeof(ShapeDimJsonConverter))]
public readonly record struct ShapeDim
{
    public const string BatchName = "batch";

    private ShapeDim(int? size) => Size = size;

    /// <summary>The dynamic batch axis.</summary>
    public static ShapeDim Batch => default;

    /// <summary>The fixed size, or null for the batch axis.</summary>
    public int? Size { get; }

    public bool IsBatch => Size is null;

    public static ShapeDim Fixed(int size) =>
        size > 0 ? new ShapeDim(size) : throw new ArgumentOutOfRangeException(nameof(size), size, "must be positive");

    /// <summary>The concrete size for a run with <paramref name="batch"/> items.</summary>
    public int Resolve(int batch) => Size ?? batch;

    public override string ToString() => Size?.ToString(CultureInfo.InvariantCulture) ?? BatchName;

    /// <summary>Formats a shape as the manifest writes it, e.g. <c>[batch, 3, 64, 64]</c>.</summary>
    public static string Format(IEnumerable<ShapeDim> shape) => $"[{string.Join(", ", shape)}]";
}
