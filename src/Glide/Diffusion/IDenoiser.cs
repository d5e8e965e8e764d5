namespace Glide.Diffusion;

/// <summary>
/// Rewrites one image's predicted x0 in place, after it is computed from eps and before it is clamped to [−1, 1]
/// (glide_text2im gaussian_diffusion.py <c>denoised_fn</c>; glide-spec §7.3 step 5).
/// </summary>
public interface IDenoiser
{
    /// <param name="predXStart">x0 of one image, [C, H, W].</param>
    void Apply(Span<float> predXStart);
}
