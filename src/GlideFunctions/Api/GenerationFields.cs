namespace GlideFunctions.Api;

/// <summary>The JSON names of the create body's fields, as they appear in <see cref="FieldError.Field"/>.</summary>
public static class GenerationFields
{
    public const string Prompt = "prompt";
    public const string NegativePrompt = "negative_prompt";
    public const string NumCandidates = "num_candidates";
    public const string NumOutputs = "num_outputs";
    public const string GuidanceScale = "guidance_scale";
    public const string GuidanceMode = "guidance_mode";
    public const string BaseSteps = "base_steps";
    public const string UpsampleSteps = "upsample_steps";
    public const string UpsampleSampler = "upsample_sampler";
    public const string Seed = "seed";
    public const string Rerank = "rerank";
    public const string Webhook = "webhook";
    public const string WebhookEventsFilter = "webhook_events_filter";
    public const string Image = "image";
    public const string Mask = "mask";
    public const string InvertMask = "invert_mask";
    public const string KeepTopRows = "keep_top_rows";
    public const string Id = "id";

    /// <summary>Every field, in the order the contract lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Prompt, NegativePrompt, NumCandidates, NumOutputs, GuidanceScale, GuidanceMode, BaseSteps, UpsampleSteps,
        UpsampleSampler, Seed, Rerank, Webhook, WebhookEventsFilter, Image, Mask, InvertMask, KeepTopRows, Id,
    ];
}
