using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>Where a generation is; the words of hosted prediction APIs (design.md §4).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GenerationStatus>))]
public enum GenerationStatus
{
    /// <summary>Accepted and scheduled; no stage has started.</summary>
    [JsonStringEnumMemberName("starting")]
    Starting,

    /// <summary>A stage is running.</summary>
    [JsonStringEnumMemberName("processing")]
    Processing,

    /// <summary>Terminal: every output is stored.</summary>
    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    /// <summary>Terminal: a stage failed; <see cref="GenerationResource.Error"/> names it.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Terminal: cancelled by the client.</summary>
    [JsonStringEnumMemberName("canceled")]
    Canceled,
}
