using System.Text.Json.Serialization;
using Glide.Pipeline;

namespace GlideFunctions.Activities;

/// <summary>
/// One chunk of base candidates: <c>Count</c> images from <c>FirstIndex</c>. <c>Seed</c> is the generation's seed:
/// candidate k uses Seed + k. <c>GuidanceScale</c> is the classifier-free scale, or with <see cref="Guidance"/>
/// <see cref="GuidanceMode.Clip"/> the CLIP gradient scale.
/// </summary>
public sealed record SampleBaseInput(
    string RunId, int Chunk, int FirstIndex, int Count, long Seed, float GuidanceScale, string BaseSteps, TextBlobs Text)
{
    [JsonConverter(typeof(JsonStringEnumConverter<GuidanceMode>))]
    public GuidanceMode Guidance { get; init; }

    /// <summary>The stored source and mask of an inpainting run (the <c>InpaintBase</c> activity); else null.</summary>
    public InpaintBlobs? Inpaint { get; init; }
}
