using System.Text.Json;
using System.Text.Json.Serialization;

namespace Glide.Models;

/// <summary>Reads a shape entry: a positive integer or the string <c>"batch"</c>.</summary>
internal sealed class ShapeDimJsonConverter : JsonConverter<ShapeDim>
{
    public override ShapeDim Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var size) && size > 0)
        {
            return ShapeDim.Fixed(size);
        }

        if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(ShapeDim.BatchName))
        {
            return ShapeDim.Batch;
        }

        throw new JsonException(
            $"expected a positive integer or \"{ShapeDim.BatchName}\", got {TensorDTypeJsonConverter.Describe(ref reader)}");
    }

    public override void Write(Utf8JsonWriter writer, ShapeDim value, JsonSerializerOptions options)
    {
        if (value.Size is { } size)
        {
            writer.WriteNumberValue(size);
        }
        else
        {
            writer.WriteStringValue(ShapeDim.BatchName);
        }
    }
}
