using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>One output image: where to download it, the seed that made it, and its CLIP score when reranked.</summary>
public sealed record GenerationOutput(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("seed")] long Seed,
    [property: JsonPropertyName("clip_score")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    double? ClipScore = null);
