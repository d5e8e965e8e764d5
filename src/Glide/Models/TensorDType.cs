using System.Text.Json.Serialization;

namespace Glide.Models;

/// <summary>Element types a graph input or output may have (FORMAT.md: <c>float32</c>, <c>int64</c>, <c>bool</c>).</summary>
[JsonConverter(typeof(TensorDTypeJsonConverter))]
public enum TensorDType
{
    Float32,
    Int64,
    Bool,
}
