namespace Glide.Models;

/// <summary>
/// The inputs some UNets take beside x_t, timesteps and the text (FORMAT.md, glide-spec §5.6). Leave a property empty
/// for a graph that does not take it; a UNet refuses a missing input it needs and an input it does not take. The
/// values are copied on every run, so the caller may change them between steps.
/// </summary>
public sealed class UNetExtras
{
    /// <summary><c>low_res</c> [B, 3, 64, 64] (upsamplers): the quantised base image; the graph resizes it.</summary>
    public ReadOnlyMemory<float> LowRes { get; init; }

    /// <summary><c>inpaint_image</c> [B, 3, S, S] (inpainting): the raw image; the graph applies the mask.</summary>
    public ReadOnlyMemory<float> InpaintImage { get; init; }

    /// <summary><c>inpaint_mask</c> [B, 1, S, S] (inpainting): 1 where the image is kept.</summary>
    public ReadOnlyMemory<float> InpaintMask { get; init; }
}
