namespace Glide.Imaging;

/// <summary>An 8-bit RGB image, row-major [Height, Width, 3] (interleaved, no padding, no alpha).</summary>
public sealed class RgbImage
{
    private readonly byte[] _pixels;

    /// <param name="width">Columns, at least 1.</param>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="pixels">Width·Height·3 bytes; the image keeps this array (no copy).</param>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width < 1 || height < 1)
        {
            throw new ArgumentException($"an image needs at least one pixel, got {width}×{height}", nameof(width));
        }

        if (pixels.LongLength != 3L * width * height)
        {
            throw new ArgumentException(
                $"expected {width}×{height}×3 = {3L * width * height} bytes, got {pixels.LongLength}", nameof(pixels));
        }

        Width = width;
        Height = height;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>[Height, Width, 3] bytes.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>The pixel array itself (for encoders that take an array); do not change it.</summary>
    internal byte[] PixelArray => _pixels;

    public override string ToString() => $"{Width}×{Height} RGB";
}
