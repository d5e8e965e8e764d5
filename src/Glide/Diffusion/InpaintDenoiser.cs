namespace Glide.Diffusion;

/// <summary>Forces the known region of the predicted x0: x0 ← x0·(1 − mask) + image·mask (glide-spec §8.3).</summary>
/// <remarks>
/// Port of the inpaint notebook's <c>denoised_fn</c>, via the project's reference
/// <c>glide_export.diffusion.inpaint_denoised_fn</c>: the same float32 expression, evaluated as torch does
/// (<c>x0 * (1 - mask) + image * mask</c>, each operation rounded once). (1 − mask) and image·mask do not change
/// between steps, so they are computed once here; that is bit-identical to recomputing them. It runs on x0 before the
/// clamp, never on x_t. With a 0/1 mask the known region of the result is exactly the source image, and passing the
/// raw source or source·mask (the notebook's <c>inpaint_image</c>) as <c>image</c> gives the same result.
/// </remarks>
public sealed class InpaintDenoiser : IDenoiser
{
    private readonly float[] _imageTimesMask; // [C, H, W]
    private readonly float[] _oneMinusMask; // [H, W]

    /// <param name="image">The source image, [C, H, W] in [−1, 1].</param>
    /// <param name="mask">[1, H, W]: 1 where the source is kept, 0 where the model paints.</param>
    public InpaintDenoiser(ReadOnlySpan<float> image, ReadOnlySpan<float> mask)
    {
        if (mask.IsEmpty || image.IsEmpty || image.Length % mask.Length != 0)
        {
            throw new ArgumentException(
                $"image has {image.Length} elements and mask {mask.Length}; expected image [C, H, W] and mask " +
                "[1, H, W] with the same H·W > 0",
                nameof(image));
        }

        _oneMinusMask = new float[mask.Length];
        for (var p = 0; p < mask.Length; p++)
        {
            _oneMinusMask[p] = 1f - mask[p];
        }

        _imageTimesMask = new float[image.Length];
        for (var e = 0; e < image.Length; e++)
        {
            _imageTimesMask[e] = image[e] * mask[e % mask.Length];
        }
    }

    /// <summary>Elements of one image, C·H·W.</summary>
    public int ImageLength => _imageTimesMask.Length;

    public void Apply(Span<float> predXStart)
    {
        StepArguments.RequireLength(predXStart, _imageTimesMask.Length, nameof(predXStart));
        var plane = _oneMinusMask.Length;
        for (var channelStart = 0; channelStart < predXStart.Length; channelStart += plane)
        {
            var x0 = predXStart.Slice(channelStart, plane); // [H, W] of one channel
            var known = _imageTimesMask.AsSpan(channelStart, plane);
            for (var p = 0; p < plane; p++)
            {
                x0[p] = (x0[p] * _oneMinusMask[p]) + known[p];
            }
        }
    }
}
