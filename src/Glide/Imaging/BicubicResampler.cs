namespace Glide.Imaging;

/// <summary>
/// PIL's <c>Image.resize(size, Image.BICUBIC)</c> for 8-bit RGB, reproduced exactly (Pillow 9's Resample.c
/// algorithm, written here from its description; the fixtures hold this to PIL's output byte for byte). The
/// inpainting notebook resizes its source image this way (glide-spec §8.3).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Kernel: Keys' cubic convolution with a = −0.5, support 2 input pixels. When shrinking, the kernel is
/// stretched by the scale (in/out), so every input pixel contributes: the resize is antialiased.</item>
/// <item>Output pixel x samples around the input coordinate (x + 0.5)·in/out, over input pixels
/// [int(c − support + 0.5), int(c + support + 0.5)) clipped to the image; the weights are normalised to sum 1
/// there (so edges renormalise instead of extending), then rounded to 22-bit fixed point.</item>
/// <item>Two passes, horizontal first, each rounding to 8 bits: sum = 2^21 + Σ pixel·weight, value = clamp(sum ≫ 22,
/// 0, 255). A pass whose size does not change is skipped.</item>
/// </list>
/// </remarks>
public static class BicubicResampler
{
    private const int PrecisionBits = 32 - 8 - 2;
    private const double Support = 2.0;
    private const double A = -0.5;

    /// <summary>Resizes <paramref name="source"/> to <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static RgbImage Resize(RgbImage source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (width < 1 || height < 1)
        {
            throw new ArgumentException($"the target size must be at least 1×1, got {width}×{height}", nameof(width));
        }

        var image = source.Pixels.ToArray();
        var (w, h) = (source.Width, source.Height);
        if (width != w)
        {
            image = Horizontal(image, w, h, width);
            w = width;
        }

        if (height != h)
        {
            image = Vertical(image, w, h, height);
        }

        return new RgbImage(width, height, image);
    }

    /// <summary>The cubic kernel at distance <paramref name="x"/> (in kernel units).</summary>
    internal static double Kernel(double x)
    {
        if (x < 0.0)
        {
            x = -x;
        }

        if (x < 1.0)
        {
            return (((A + 2.0) * x) - (A + 3.0)) * x * x + 1;
        }

        if (x < 2.0)
        {
            return (((((x - 5) * x) + 8) * x) - 4) * A;
        }

        return 0.0;
    }

    /// <summary>For each output index: the first input index and the fixed-point weights from there.</summary>
    internal static (int First, int[] Weights)[] Coefficients(int inSize, int outSize)
    {
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        var support = Support * filterScale;
        var inverse = 1.0 / filterScale;
        var rows = new (int, int[])[outSize];
        var weights = new double[(int)Math.Ceiling(support) * 2 + 1];
        for (var xx = 0; xx < outSize; xx++)
        {
            var center = (xx + 0.5) * scale;
            var first = Math.Max((int)(center - support + 0.5), 0);   // C casts truncate toward zero
            var count = Math.Min((int)(center + support + 0.5), inSize) - first;
            var total = 0.0;
            for (var x = 0; x < count; x++)
            {
                var weight = Kernel((x + first - center + 0.5) * inverse);
                weights[x] = weight;
                total += weight;
            }

            var fixedPoint = new int[Math.Max(count, 0)];
            for (var x = 0; x < count; x++)
            {
                var weight = total != 0.0 ? weights[x] / total : weights[x];
                fixedPoint[x] = weight < 0
                    ? (int)(-0.5 + (weight * (1 << PrecisionBits)))
                    : (int)(0.5 + (weight * (1 << PrecisionBits)));
            }

            rows[xx] = (first, fixedPoint);
        }

        return rows;
    }

    private static byte Clip8(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static byte[] Horizontal(byte[] source, int inWidth, int height, int outWidth)
    {
        var coefficients = Coefficients(inWidth, outWidth);
        var output = new byte[3 * outWidth * height];
        for (var y = 0; y < height; y++)
        {
            var row = source.AsSpan(3 * inWidth * y, 3 * inWidth);
            for (var xx = 0; xx < outWidth; xx++)
            {
                var (first, weights) = coefficients[xx];
                int r = 1 << (PrecisionBits - 1), g = r, b = r;
                for (var x = 0; x < weights.Length; x++)
                {
                    var p = 3 * (first + x);
                    r += row[p] * weights[x];
                    g += row[p + 1] * weights[x];
                    b += row[p + 2] * weights[x];
                }

                var o = 3 * ((outWidth * y) + xx);
                output[o] = Clip8(r);
                output[o + 1] = Clip8(g);
                output[o + 2] = Clip8(b);
            }
        }

        return output;
    }

    private static byte[] Vertical(byte[] source, int width, int inHeight, int outHeight)
    {
        var coefficients = Coefficients(inHeight, outHeight);
        var stride = 3 * width;
        var output = new byte[stride * outHeight];
        var sums = new int[stride];
        for (var yy = 0; yy < outHeight; yy++)
        {
            var (first, weights) = coefficients[yy];
            Array.Fill(sums, 1 << (PrecisionBits - 1));
            for (var y = 0; y < weights.Length; y++)
            {
                var row = source.AsSpan(stride * (first + y), stride);
                var weight = weights[y];
                for (var e = 0; e < stride; e++)
                {
                    sums[e] += row[e] * weight;
                }
            }

            var outRow = output.AsSpan(stride * yy, stride);
            for (var e = 0; e < stride; e++)
            {
                outRow[e] = Clip8(sums[e]);
            }
        }

        return output;
    }
}
