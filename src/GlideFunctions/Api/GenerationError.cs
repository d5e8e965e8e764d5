using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>
/// Why a generation failed: the stage (<c>text</c>, <c>base</c>, <c>rerank</c>, <c>upsample</c>…) and the reason.
/// </summary>
public sealed record GenerationError(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("message")] string Message);
