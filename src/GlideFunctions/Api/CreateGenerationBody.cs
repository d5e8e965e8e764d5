using System.Text.Json.Serialization;

namespace GlideFunctions.Api;

/// <summary>
/// The body of <c>POST /api/v1/generations</c> and of a <c>glide-requests</c> queue message, as sent: every field is
/// optional here, so that <see cref="GenerationRequestParser"/> can report all missing and invalid fields at once
/// and <see cref="GenerationInput"/> holds the validated values with defaults filled.
/// </summary>
/// <remarks>
/// The attributes make the shape independent of serializer options, so clients (the bulk command, tests) can
/// serialize this record directly; absent and <c>null</c> fields mean the same.
/// </remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateGenerationBody
{
    /// <summary>Required; <c>""</c> generates unconditionally.</summary>
    [JsonPropertyName("prompt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Prompt { get; init; }

    /// <summary>Replaces the empty unconditional prompt of classifier-free guidance.</summary>
    [JsonPropertyName("negative_prompt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NegativePrompt { get; init; }

    /// <summary>64×64 images sampled by the base model; default 1.</summary>
    [JsonPropertyName("num_candidates")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NumCandidates { get; init; }

    /// <summary>Images upsampled and returned; default <see cref="NumCandidates"/>.</summary>
    [JsonPropertyName("num_outputs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NumOutputs { get; init; }

    /// <summary>
    /// Guidance scale of the base model: classifier-free, or with <see cref="GuidanceMode"/> <c>"clip"</c> the CLIP
    /// gradient scale; default 3.0 (5.0 for inpainting).
    /// </summary>
    [JsonPropertyName("guidance_scale")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? GuidanceScale { get; init; }

    /// <summary>
    /// <c>"cfg"</c> (classifier-free guidance, the default) or <c>"clip"</c> (the noised CLIP's gradient guides the base
    /// stage; needs the model's clip.grad graph), as the CLI's <c>--guidance-mode</c>.
    /// </summary>
    [JsonPropertyName("guidance_mode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? GuidanceMode { get; init; }

    /// <summary>Respacing string of the base model; default <c>"100"</c>.</summary>
    [JsonPropertyName("base_steps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BaseSteps { get; init; }

    /// <summary>Respacing string of the upsampler; default <c>"fast27"</c>.</summary>
    [JsonPropertyName("upsample_steps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UpsampleSteps { get; init; }

    /// <summary>
    /// Text-to-image only: how the upsampler steps, <c>"ddim"</c> (eta 0, the notebook's) or <c>"ancestral"</c>;
    /// default the model's manifest (<c>sampling.upsample_sampler</c>), DDIM when it names none.
    /// </summary>
    [JsonPropertyName("upsample_sampler")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? UpsampleSampler { get; init; }

    /// <summary>Seed of the first candidate; candidate k uses seed + k.</summary>
    [JsonPropertyName("seed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Seed { get; init; }

    /// <summary>Score candidates with noised CLIP and keep the best <see cref="NumOutputs"/>; default false.</summary>
    [JsonPropertyName("rerank")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Rerank { get; init; }

    /// <summary>Absolute https URL that receives signed event POSTs.</summary>
    [JsonPropertyName("webhook")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Webhook { get; init; }

    /// <summary>Which of <c>start</c>, <c>output</c>, <c>completed</c> to send; default all three.</summary>
    [JsonPropertyName("webhook_events_filter")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? WebhookEventsFilter { get; init; }

    /// <summary>
    /// Inpainting: the PNG to edit, base64-encoded (or a <c>data:image/png;base64,</c> URL), any size (stretched to a
    /// square). With it the request regenerates the region <see cref="Mask"/> (or <see cref="KeepTopRows"/>) leaves
    /// to the model and keeps the rest.
    /// </summary>
    [JsonPropertyName("image")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Image { get; init; }

    /// <summary>
    /// Inpainting: the mask PNG, base64-encoded like <see cref="Image"/>, any size: white (at least 50 % grey) keeps
    /// the image, black is generated.
    /// </summary>
    [JsonPropertyName("mask")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mask { get; init; }

    /// <summary>Read <see cref="Mask"/> the other way round (white is generated); default false.</summary>
    [JsonPropertyName("invert_mask")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? InvertMask { get; init; }

    /// <summary>
    /// Inpainting without a mask file: keep the top N of the 64 base rows (0–63) and generate the rest, the
    /// notebook's mask with N = 20.
    /// </summary>
    [JsonPropertyName("keep_top_rows")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? KeepTopRows { get; init; }

    /// <summary>
    /// Queue messages only: the client's id, used as the generation id so that a re-delivered message maps to the
    /// same generation (see <see cref="GenerationIds.IsValid"/>). Refused in HTTP bodies.
    /// </summary>
    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }
}
