namespace Glide.Noise;

/// <summary>Standard-normal draws for a batch of images, addressed by image and draw index.</summary>
/// <remarks>
/// Draw 0 is an image's x_T before any temperature; draw k (k = 1 … S) is the draw of the k-th step taken, i.e. the
/// step at spaced index S−k (src/export/FORMAT.md, "Noise and trajectory files"). The last step (spaced index 0)
/// adds no noise, so draw S is never used, but it exists so that recorded reference noise lines up index for index.
/// </remarks>
public interface INoiseSource
{
    /// <summary>Number of images the source has noise for.</summary>
    int ImageCount { get; }

    /// <summary>
    /// Writes draw <paramref name="draw"/> of image <paramref name="image"/> into <paramref name="destination"/>
    /// (one image, e.g. [3, H, W]).
    /// </summary>
    void Fill(int image, int draw, Span<float> destination);
}
