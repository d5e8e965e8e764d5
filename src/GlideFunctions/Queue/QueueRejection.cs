using System.Text.Json.Serialization;
using GlideFunctions.Api;

namespace GlideFunctions.Queue;

/// <summary>
/// The record <see cref="GenerationQueueProcessor"/> writes to the poison queue for a message that no retry can turn
/// into a generation: why (every problem, each naming its field), which message, and the body as it arrived, so an
/// operator can fix and re-send it.
/// </summary>
public sealed record QueueRejection
{
    /// <summary>
    /// The body is not a valid create body (not JSON, a field invalid, a bad <c>id</c>, too large), or asks for what
    /// the model directory has no graphs for (a rerank, CLIP guidance, inpainting).
    /// </summary>
    public const string InvalidKind = "invalid";

    /// <summary>The body's <c>id</c> already names a generation started for another input.</summary>
    public const string ConflictKind = "conflict";

    public const string TextEncoding = "utf-8";

    public const string Base64Encoding = "base64";

    /// <summary>What went wrong: <see cref="InvalidKind"/> or <see cref="ConflictKind"/>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary>The problems in one line: every <see cref="Errors"/> message, in body order.</summary>
    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    /// <summary>The same problems with their fields (<c>$</c> for the body as a whole).</summary>
    [JsonPropertyName("errors")]
    public required IReadOnlyList<QueueRejectionError> Errors { get; init; }

    /// <summary>The generation the message named or would have started, when the body got that far.</summary>
    [JsonPropertyName("generation_id")]
    public string? GenerationId { get; init; }

    /// <summary>The queue the message came from.</summary>
    [JsonPropertyName("queue")]
    public required string Queue { get; init; }

    [JsonPropertyName("message_id")]
    public required string MessageId { get; init; }

    /// <summary>How many times the message had been received, this time included.</summary>
    [JsonPropertyName("dequeue_count")]
    public required long DequeueCount { get; init; }

    [JsonPropertyName("inserted_at")]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public DateTimeOffset? InsertedAt { get; init; }

    [JsonPropertyName("received_at")]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The message body as the trigger delivered it (base64-decoded): see <see cref="BodyEncoding"/>.</summary>
    [JsonPropertyName("body")]
    public required string Body { get; init; }

    /// <summary><see cref="TextEncoding"/> when the body is UTF-8 text, else <see cref="Base64Encoding"/>.</summary>
    [JsonPropertyName("body_encoding")]
    public required string BodyEncoding { get; init; }
}

/// <summary>One problem of a rejected message: the body field (<c>$</c> for the whole body) and what is wrong.</summary>
public sealed record QueueRejectionError(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("message")] string Message);
