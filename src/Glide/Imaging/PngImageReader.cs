using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Imaging;

/// <summary>
/// Reads an uploaded PNG into 8-bit RGB, refusing anything that is not a sound PNG within <see cref="ImageLimits"/>
/// with an <see cref="InvalidImageException"/> (never another exception, never a crash):
/// <list type="number">
/// <item>the byte size (before reading a file);</item>
/// <item>the chunk structure: signature, chunk lengths, CRCs, IHDR first, an IDAT, IEND (truncation, corruption);</item>
/// <item>the size the header declares, from ImageSharp's <c>Identify</c>, against the pixel and side limits, before
/// any pixel is decoded (decompression bombs);</item>
/// <item>decoding (ImageSharp 2.1's PNG decoder only, metadata ignored so compressed text chunks are never
/// inflated).</item>
/// </list>
/// Colour handling matches the notebook's <c>Image.open(path).convert("RGB")</c>: greyscale is replicated, palettes
/// looked up, and alpha dropped (not composited). 16-bit channels are rounded to 8 bits by ImageSharp, which can
/// differ by one level from PIL's truncation.
/// </summary>
public static class PngImageReader
{
    private static readonly Configuration PngOnly = new(new PngConfigurationModule());

    /// <summary>Decodes PNG bytes.</summary>
    /// <param name="png">The whole file.</param>
    /// <param name="field">Names the input in errors ("image", "mask").</param>
    /// <param name="limits">Null: <see cref="ImageLimits.Default"/>.</param>
    /// <exception cref="InvalidImageException">Not a sound PNG, or over a limit.</exception>
    public static RgbImage Read(ReadOnlySpan<byte> png, string field, ImageLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        limits ??= ImageLimits.Default;
        limits.Validate();
        CheckByteSize(png.Length, field, limits);
        PngStructure.Check(png, field);

        var bytes = png.ToArray();
        var decoder = new PngDecoder { IgnoreMetadata = true };
        try
        {
            using (var header = new MemoryStream(bytes, writable: false))
            {
                var info = decoder.Identify(PngOnly, header, CancellationToken.None)
                    ?? throw new InvalidImageException(field, "the PNG header cannot be read");
                CheckPixelCount(info.Width, info.Height, field, limits);
            }

            using var stream = new MemoryStream(bytes, writable: false);
            using var image = decoder.Decode<Rgb24>(PngOnly, stream, CancellationToken.None);
            var pixels = new byte[3 * image.Width * image.Height];
            image.CopyPixelDataTo(pixels);
            return new RgbImage(image.Width, image.Height, pixels);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidDataException
                                      or InvalidOperationException or ArgumentOutOfRangeException or IndexOutOfRangeException
                                      or EndOfStreamException)
        {
            throw new InvalidImageException(field, $"the PNG cannot be decoded: {e.Message}", e);
        }
    }

    /// <summary>Reads and decodes a PNG file, checking its size before reading it.</summary>
    /// <exception cref="InvalidImageException">Missing or unreadable, not a sound PNG, or over a limit.</exception>
    public static RgbImage ReadFile(string path, string field, ImageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrEmpty(field);
        limits ??= ImageLimits.Default;
        limits.Validate();
        byte[] bytes;
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                throw new InvalidImageException(field, $"file not found: {path}");
            }

            CheckByteSize(file.Length, field, limits);
            using var stream = file.OpenRead();
            if (stream.Length > limits.MaxBytes)
            {
                CheckByteSize(stream.Length, field, limits);
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidImageException(field, $"cannot read {path}: {e.Message}", e);
        }

        return Read(bytes, field, limits);
    }

    private static void CheckByteSize(long length, string field, ImageLimits limits)
    {
        if (length > limits.MaxBytes)
        {
            throw new InvalidImageException(
                field,
                string.Create(CultureInfo.InvariantCulture, $"the file is {length:N0} bytes; the limit is {limits.MaxBytes:N0} bytes"));
        }
    }

    private static void CheckPixelCount(long width, long height, string field, ImageLimits limits)
    {
        var pixels = width * height;
        if (width > limits.MaxSide || height > limits.MaxSide || pixels > limits.MaxPixels)
        {
            throw new InvalidImageException(
                field,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"the PNG declares {width}×{height} = {pixels:N0} pixels; the limit is {limits.MaxPixels:N0} pixels " +
                    $"and {limits.MaxSide:N0} a side (the image was not decoded)"));
        }
    }
}
