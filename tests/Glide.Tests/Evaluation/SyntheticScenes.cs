using Glide.Evaluation;
using Glide.Imaging;

namespace Glide.Tests.Evaluation;

/// <summary>
/// Draws glide-shapes scenes the way the world's renderer does: anti-aliased at 256×256 (here by 4×4 supersampling
/// each pixel), box-averaged 4×4 down to 64×64, plus the noise and blur a trained model's samples show.
/// </summary>
internal static class SyntheticScenes
{
    public const int High = 256;
    public const int Low = 64;
    private const int Subsamples = 4;

    /// <summary>Renders <paramref name="shapes"/> in order over <paramref name="background"/> at 256×256.</summary>
    public static RgbImage Render((int R, int G, int B) background, params SyntheticShape[] shapes)
    {
        var size = High;
        var image = new double[size * size * 3];
        for (var p = 0; p < size * size; p++)
        {
            image[3 * p] = background.R;
            image[(3 * p) + 1] = background.G;
            image[(3 * p) + 2] = background.B;
        }

        foreach (var shape in shapes)
        {
            // Only the pixels of the shape's box (plus a margin) can be covered.
            var x0 = (int)Math.Max(0, Math.Floor((shape.Cx - shape.R) * size) - 2);
            var x1 = (int)Math.Min(size - 1, Math.Ceiling((shape.Cx + shape.R) * size) + 2);
            var y0 = (int)Math.Max(0, Math.Floor((shape.Cy - shape.R) * size) - 2);
            var y1 = (int)Math.Min(size - 1, Math.Ceiling((shape.Cy + shape.R) * size) + 2);
            for (var y = y0; y <= y1; y++)
            {
                for (var x = x0; x <= x1; x++)
                {
                    var inside = 0;
                    for (var sy = 0; sy < Subsamples; sy++)
                    {
                        for (var sx = 0; sx < Subsamples; sx++)
                        {
                            var fx = (x + ((sx + 0.5) / Subsamples)) / size;
                            var fy = (y + ((sy + 0.5) / Subsamples)) / size;
                            inside += shape.Contains(fx, fy) ? 1 : 0;
                        }
                    }

                    var coverage = (double)inside / (Subsamples * Subsamples);
                    var p = 3 * ((y * size) + x);
                    image[p] += coverage * (shape.Colour.R - image[p]);
                    image[p + 1] += coverage * (shape.Colour.G - image[p + 1]);
                    image[p + 2] += coverage * (shape.Colour.B - image[p + 2]);
                }
            }
        }

        return ToImage(image, size);
    }

    /// <summary>The 4×4 box average of a 256×256 image: the 64×64 image the base model learns.</summary>
    public static RgbImage Downsample(RgbImage high)
    {
        var factor = high.Width / Low;
        var pixels = high.Pixels;
        var low = new double[Low * Low * 3];
        for (var y = 0; y < Low; y++)
        {
            for (var x = 0; x < Low; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var sum = 0.0;
                    for (var dy = 0; dy < factor; dy++)
                    {
                        for (var dx = 0; dx < factor; dx++)
                        {
                            sum += pixels[(3 * ((((y * factor) + dy) * high.Width) + (x * factor) + dx)) + c];
                        }
                    }

                    low[(3 * ((y * Low) + x)) + c] = sum / (factor * factor);
                }
            }
        }

        return ToImage(low, Low);
    }

    /// <summary>A 3×3 box blur (edges clamp) followed by uniform noise of ±<paramref name="noise"/> levels.</summary>
    public static RgbImage BlurAndNoise(RgbImage image, int noise, int seed)
    {
        var random = new Random(seed);
        var size = image.Width;
        var pixels = image.Pixels;
        var result = new double[pixels.Length];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var sum = 0.0;
                    for (var dy = -1; dy <= 1; dy++)
                    {
                        for (var dx = -1; dx <= 1; dx++)
                        {
                            var sx = Math.Clamp(x + dx, 0, size - 1);
                            var sy = Math.Clamp(y + dy, 0, size - 1);
                            sum += pixels[(3 * ((sy * size) + sx)) + c];
                        }
                    }

                    result[(3 * ((y * size) + x)) + c] = (sum / 9) + random.Next(-noise, noise + 1);
                }
            }
        }

        return ToImage(result, size);
    }

    /// <summary>A palette colour with a per-channel jitter in [−amount, amount], clamped to 0–255.</summary>
    public static (int R, int G, int B) Jitter(PaletteColour colour, Random random, int amount) =>
        (Clamp(colour.R + random.Next(-amount, amount + 1)),
         Clamp(colour.G + random.Next(-amount, amount + 1)),
         Clamp(colour.B + random.Next(-amount, amount + 1)));

    private static int Clamp(int value) => Math.Clamp(value, 0, 255);

    private static RgbImage ToImage(double[] values, int size)
    {
        var bytes = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bytes[i] = (byte)Math.Clamp(Math.Round(values[i], MidpointRounding.ToEven), 0, 255);
        }

        return new RgbImage(size, size, bytes);
    }
}
