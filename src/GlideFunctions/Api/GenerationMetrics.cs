using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>Timings in seconds.</summary>
/// <param name="PredictTime">From the first stage starting to the last one finishing; null until then.</param>
/// <param name="StageTimes">Seconds per finished stage, by stage name (<c>text</c>, <c>base</c>, …), summed over
/// its fanned-out activities.</param>
public sealed record GenerationMetrics(
    [property: JsonPropertyName("predict_time")] double? PredictTime,
    [property: JsonPropertyName("stage_times")] IReadOnlyDictionary<string, double> StageTimes);
