using System.Globalization;
using System.Text;
using System.Text.Json;
using GlideFunctions.Api;

namespace GlideFunctions.Webhooks;

/// <summary>
/// The JSON body of one webhook message, in the Standard Webhooks envelope:
/// <c>{"type":"output","timestamp":"2024-05-01T12:00:00.000Z","data":{…generation…}}</c>.
/// </summary>
/// <remarks>
/// The bytes are a pure function of the three values (fixed property order, UTC timestamp with milliseconds, compact
/// JSON), so a retry re-sends, and re-signs, exactly what the first attempt sent.
/// </remarks>
public sealed class WebhookPayload
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    // Snake case for the generation object, matching the HTTP API's bodies (design.md §4).
    private static readonly JsonSerializerOptions DataOptions = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    public WebhookPayload(WebhookEventType type, DateTimeOffset timestamp, JsonElement data)
    {
        _ = type.ToWireName();
        if (data.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("the payload needs data: the generation object", nameof(data));
        }

        Type = type;
        Timestamp = timestamp;

        // Cloned so the payload does not depend on the lifetime of the caller's JsonDocument.
        Data = data.Clone();
    }

    public WebhookEventType Type { get; }

    /// <summary>When the event happened (the body's <c>timestamp</c>); not the signing time of an attempt.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The generation object as clients see it from <c>GET /api/v1/generations/{id}</c>.</summary>
    public JsonElement Data { get; }

    /// <summary>Wraps <paramref name="data"/>, serialized with snake_case property names.</summary>
    public static WebhookPayload Create<T>(WebhookEventType type, DateTimeOffset timestamp, T data) =>
        new(type, timestamp, JsonSerializer.SerializeToElement(data, DataOptions));

    /// <summary>
    /// The body as text (<see cref="WebhookDeliveryRequest.Body"/>): the UTF-8 of <see cref="ToUtf8Bytes"/> decoded,
    /// which encodes back to exactly those bytes, since the JSON writer only ever writes valid UTF-8.
    /// </summary>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8Bytes());

    /// <summary>The UTF-8 body to sign and send.</summary>
    public byte[] ToUtf8Bytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", Type.ToWireName());
            writer.WriteString(
                "timestamp", Timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture));
            writer.WritePropertyName("data");
            Data.WriteTo(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
