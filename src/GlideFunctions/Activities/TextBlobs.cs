namespace GlideFunctions.Activities;

/// <summary>
/// The text stage's blobs: the base text graph on [prompt, negative] (xf_proj [2, D], xf_out [2, W, T]) and the
/// upsampler's on [prompt] (xf_proj [1, D], xf_out [1, W, T]), from base.text and upsample.text, or for inpainting
/// from base-inpaint.text and upsample-inpaint.text.
/// </summary>
public sealed record TextBlobs(string BaseXfProj, string BaseXfOut, string UpsampleXfProj, string UpsampleXfOut)
{
    /// <summary>
    /// With CLIP guidance: the prompt's L2-normalised clip.text embedding z_t [E]
    /// (<c>ClipGuidedBaseStage.EncodePrompt</c>); otherwise null.
    /// </summary>
    public string? ClipTextEmbedding { get; init; }
}
