using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace GlideFunctions.Bulk;

/// <summary>
/// The part of the service's generation object (<c>GET /api/v1/generations/{id}</c>, design §4) this tool reads.
/// Unknown members are ignored, so the service can add fields without breaking it.
/// </summary>
internal sealed record RemoteGeneration
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    [JsonPropertyName("id")]
    public string Id { get; init; } = string.Empty;

    /// <summary><c>starting</c>, <c>processing</c>, <c>succeeded</c>, <c>failed</c> or <c>canceled</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = string.Empty;

    /// <summary>The validated request, defaults and seed filled.</summary>
    [JsonPropertyName("input")]
    public JsonObject? Input { get; init; }

    [JsonPropertyName("output")]
    public IReadOnlyList<RemoteOutput> Output { get; init; } = [];

    [JsonPropertyName("error")]
    public RemoteError? Error { get; init; }

    [JsonPropertyName("metrics")]
    public RemoteMetrics? Metrics { get; init; }

    [JsonPropertyName("progress")]
    public RemoteProgress? Progress { get; init; }

    [JsonIgnore]
    public bool IsTerminal => Status is Succeeded or Failed or Canceled;
}

internal sealed record RemoteOutput(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("seed")] long Seed);

internal sealed record RemoteError(
    [property: JsonPropertyName("stage")] string? Stage,
    [property: JsonPropertyName("message")] string? Message);

internal sealed record RemoteMetrics([property: JsonPropertyName("predict_time")] double? PredictTime);

internal sealed record RemoteProgress(
    [property: JsonPropertyName("stage")] string? Stage,
    [property: JsonPropertyName("step")] int Step,
    [property: JsonPropertyName("of")] int Of);
