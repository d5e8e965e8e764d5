using System.Text.Json;
using System.Text.Json.Serialization;

namespace Glide.Models;

/// <summary>Maps the manifest's dtype names to <see cref="TensorDType"/>, naming the accepted values on a mismatch.</summary>
internal sealed class TensorDTypeJsonConverter : JsonConverter<TensorDType>
{
    public override TensorDType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return text switch
        {
            "float32" => TensorDType.Float32,
            "int64" => TensorDType.Int64,
            "bool" => TensorDType.Bool,
            _ => throw new JsonException(
                $"expected one of \"float32\", \"int64\", \"bool\", got {Describe(ref reader)}"),
        };
    }

    public override void Write(Utf8JsonWriter writer, TensorDType value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ToJsonName(value));

    public static string ToJsonName(TensorDType dtype) => dtype switch
    {
        TensorDType.Float32 => "float32",
        TensorDType.Int64 => "int64",
        TensorDType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    internal static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"\"{reader.GetString()}\"",
        JsonTokenType.Number => reader.TryGetInt64(out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "a number",
        JsonTokenType.True or JsonTokenType.False => reader.GetBoolean() ? "true" : "false",
        JsonTokenType.Null => "null",
        _ => $"a JSON {reader.TokenType}",
    };
}
