using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>
/// ISO 8601 in UTC with a <c>Z</c> and only the fractional digits needed (<c>2025-01-02T03:04:05.123Z</c>), the form
/// hosted APIs use; System.Text.Json's own writes <c>+00:00</c>, and a local offset if the value carries one.
/// </summary>
public sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
