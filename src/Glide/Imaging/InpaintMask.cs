using System.Globalization;

namespace Glide.Imaging;

/// <summary>
/// Inpainting masks at model resolution: 1 where the source is kept, 0 where the model paints (glide-spec §5.6).
/// </summary>
/// <remarks>
/// A mask picture of any size is read as follows (documented, and tested against PIL):
/// <list type="number">
/// <item>each pixel's luminance as PIL's <c>convert("L")</c> computes it (ITU-R 601-2, fixed point):
/// L = (19595·R + 38470·G + 7471·B + 2^15) ≫ 16; alpha is ignored;</item>
/// <item>nearest-neighbour resize to size×size as PIL's <c>Image.NEAREST</c>: output pixel x takes input pixel
/// floor((x + 0.5)·in/out), rows likewise (the picture is stretched to a square like the image);</item>
/// <item>threshold at 50 % grey: <b>white keeps</b> (L ≥ 128 → 1), black is generated (L &lt; 128 → 0);
/// <c>invert</c> swaps the two for masks drawn the other way round (white = paint).</item>
/// </list>
/// </remarks>
public static class InpaintMask
{
    /// <summary>Luminance at or above this keeps the pixel (unless inverted).</summary>
    public const int Threshold = 128;

    /// <summary>A mask picture → [size, size] of 0/1.</summary>
    public static float[] FromImage(RgbImage mask, int size, bool invert = false)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var rows = NearestIndices(mask.Height, size);
        var cols = NearestIndices(mask.Width, size);
        var pixels = mask.Pixels;
        var result = new float[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var p = 3 * ((rows[y] * mask.Width) + cols[x]);
                var keep = Luminance(pixels[p], pixels[p + 1], pixels[p + 2]) >= Threshold;
                result[(y * size) + x] = keep != invert ? 1f : 0f;
            }
        }

        return result;
    }

    /// <summary>The notebook's mask: the top <paramref name="rows"/> rows kept, the rest generated.</summary>
    public static float[] KeepTopRows(int rows, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (rows < 0 || rows > size)
        {
            throw new ArgumentOutOfRangeException(
                nameof(rows), rows, string.Create(CultureInfo.InvariantCulture, $"rows to keep must be between 0 and {size}, got {rows}"));
        }

        var result = new float[size * size];
        result.AsSpan(0, rows * size).Fill(1f);
        return result;
    }

    /// <summary>Nearest upsampling by a whole factor: each pixel becomes a factor×factor block (glide-spec §8.3).</summary>
    /// <param name="mask">[size, size].</param>
    /// <param name="size">Side of <paramref name="mask"/>.</param>
    /// <param name="factor">At least 1.</param>
    public static float[] Upsample(ReadOnlySpan<float> mask, int size, int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        if (mask.Length != size * size)
        {
            throw new ArgumentException($"expected a {size}×{size} mask ({size * size} values), got {mask.Length}", nameof(mask));
        }

        var outSize = size * factor;
        var result = new float[outSize * outSize];
        for (var y = 0; y < outSize; y++)
        {
            for (var x = 0; x < outSize; x++)
            {
                result[(y * outSize) + x] = mask[((y / factor) * size) + (x / factor)];
            }
        }

        return result;
    }

    /// <summary>PIL's RGB → L conversion.</summary>
    public static int Luminance(byte r, byte g, byte b) => ((r * 19595) + (g * 38470) + (b * 7471) + 0x8000) >> 16;

    /// <summary>PIL NEAREST: output i reads input floor((i + 0.5)·in/out), the position accumulated in float64.</summary>
    internal static int[] NearestIndices(int inSize, int outSize)
    {
        var step = (double)inSize / outSize;
        var position = step * 0.5;
        var indices = new int[outSize];
        for (var i = 0; i < outSize; i++)
        {
            indices[i] = Math.Clamp((int)position, 0, inSize - 1);
            position += step;
        }

        return indices;
    }
}
