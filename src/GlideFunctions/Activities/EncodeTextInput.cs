using System.Text.Json.Serialization;
using Glide.Pipeline;

namespace GlideFunctions.Activities;

/// <summary>
/// The text stage's input: the prompts, which text graphs to run (the inpainting models' with <c>Inpaint</c>), and
/// with <see cref="GuidanceMode.Clip"/> the CLIP text embedding as well.
/// </summary>
public sealed record EncodeTextInput(string RunId, string Prompt, string? NegativePrompt)
{
    [JsonConverter(typeof(JsonStringEnumConverter<GuidanceMode>))]
    public GuidanceMode Guidance { get; init; }

    /// <summary>Encode with base-inpaint.text and upsample-inpaint.text instead of base.text and upsample.text.</summary>
    public bool Inpaint { get; init; }
}
