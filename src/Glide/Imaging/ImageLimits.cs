namespace Glide.Imaging;

/// <summary>
/// What an uploaded image may cost before it is decoded: its size in bytes, and the pixel count its PNG header
/// declares (a few kilobytes of PNG can declare gigapixels: a decompression bomb). Checked by
/// <see cref="PngImageReader"/> before any pixel is decoded.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>32 MiB, 16,777,216 pixels (e.g. 4096×4096), 16,384 pixels a side.</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>Largest accepted file, in bytes.</summary>
    public long MaxBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Largest accepted width·height, read from the header.</summary>
    public long MaxPixels { get; init; } = 4096L * 4096;

    /// <summary>Largest accepted width or height.</summary>
    public int MaxSide { get; init; } = 16_384;

    /// <summary>Throws unless every limit is positive.</summary>
    public void Validate()
    {
        if (MaxBytes < 1 || MaxPixels < 1 || MaxSide < 1)
        {
            throw new ArgumentException(
                $"image limits must be positive, got {MaxBytes} bytes, {MaxPixels} pixels, {MaxSide} a side");
        }
    }
}
