namespace Glide.Imaging;

/// <summary>
/// Model output in [−1, 1] to 8-bit RGB (glide-spec §10 "uint8 conversion"): round((x+1)·127.5) half to even,
/// clamp to [0, 255], planar CHW to interleaved HWC.
/// </summary>
public static class ImageQuantizer
{
    /// <param name="chw">One image, [3, height, width], float32.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="destination">[height, width, 3] bytes.</param>
    public static void ToRgb24(ReadOnlySpan<float> chw, int height, int width, Span<byte> destination)
    {
        var plane = checked(height * width);
        if (chw.Length != 3 * plane)
        {
            throw new ArgumentException($"expected [3, {height}, {width}] = {3 * plane} values, got {chw.Length}", nameof(chw));
        }

        if (destination.Length != 3 * plane)
        {
            throw new ArgumentException($"expected {3 * plane} destination bytes, got {destination.Length}", nameof(destination));
        }

        for (var c = 0; c < 3; c++)
        {
            var source = chw.Slice(c * plane, plane);
            for (var p = 0; p < plane; p++)
            {
                // Same float32 arithmetic as the reference: (x + 1) * 127.5, then round half to even.
                var level = MathF.Round((source[p] + 1f) * 127.5f, MidpointRounding.ToEven);
                destination[(p * 3) + c] = (byte)Math.Clamp(level, 0f, 255f);
            }
        }
    }

    /// <summary>Convenience: a freshly allocated HWC buffer.</summary>
    public static byte[] ToRgb24(ReadOnlySpan<float> chw, int height, int width)
    {
        var rgb = new byte[3 * height * width];
        ToRgb24(chw, height, width, rgb);
        return rgb;
    }
}
