using System.Text.Json.Serialization;
using Glide.Diffusion;

namespace GlideFunctions.Activities;

/// <summary>
/// One image to upsample: row <c>Row</c> of the base chunk blob, which holds <c>ChunkLength</c> images. <c>Seed</c> is
/// this image's own seed (the generation's seed + <c>Index</c>).
/// </summary>
public sealed record UpsampleInput(
    string RunId,
    int Index,
    long Seed,
    string BaseChunk,
    int Row,
    int ChunkLength,
    string UpsampleSteps,
    float Temperature,
    TextBlobs Text)
{
    /// <summary>The stored source and mask of an inpainting run (the <c>InpaintUpsample</c> activity); else null.</summary>
    public InpaintBlobs? Inpaint { get; init; }

    /// <summary>
    /// The text-to-image upsampler's steps (<see cref="Orchestration.GenerationPlan.UpsampleSampler"/>); null for the
    /// model's manifest. The <c>InpaintUpsample</c> activity refuses any: inpainting upsamples ancestrally.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<SamplerKind>))]
    public SamplerKind? Sampler { get; init; }
}
