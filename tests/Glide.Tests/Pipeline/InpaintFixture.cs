using Glide.Imaging;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Tensors;
using Glide.Testing;

namespace Glide.Tests.Pipeline;

/// <summary>
/// tests/fixtures/inpaint (written by <c>glide_export.inpaint_fixtures</c>; keys in tests/fixtures/README.md):
/// <c>resize.npz</c>, PIL's resizes of two sources and its mask rule, and <c>cascade.npz</c>, the reference
/// sampler's tiny inpainting run on those inputs.
/// </summary>
internal static class InpaintFixture
{
    private static readonly Lazy<NpzArchive> ResizeArchive = new(() => Read("resize.npz"));
    private static readonly Lazy<NpzArchive> CascadeArchive = new(() => Read("cascade.npz"));

    public static NpzArchive Resize => ResizeArchive.Value;

    public static NpzArchive Cascade => CascadeArchive.Value;

    /// <summary>An [H, W, 3] array of 0…255 values (stored as float32) as an image.</summary>
    public static RgbImage Image(string key)
    {
        var array = Resize[key];
        var values = array.AsSingle();
        var bytes = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bytes[i] = checked((byte)values[i]);
        }

        return new RgbImage(array.Shape[1], array.Shape[0], bytes);
    }

    /// <summary>The fixture's inputs as the library builds them from the source and mask pictures.</summary>
    public static InpaintInputs Inputs() => InpaintInputs.FromImages(Image("source"), Image("mask_source"));

    private static NpzArchive Read(string name) => NpzReader.Read(RepoRoot.Combine("tests", "fixtures", "inpaint", name));
}

/// <summary>
/// The fixture's noise formula (<c>glide_export.inpaint_fixtures.formula_noise</c>): element e of draw k of a stream
/// is ((u + 0.5)/2^24 − 0.5)·2√3 in float64, rounded to float32, with u the top 24 bits of
/// splitmix64(stream·2^48 + k·2^32 + e). One image per source.
/// </summary>
internal sealed class FormulaNoiseSource(ulong stream) : INoiseSource
{
    private static readonly double Scale = 2.0 * Math.Sqrt(3.0);

    public int ImageCount => 1;

    public void Fill(int image, int draw, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(image, 0);
        for (var e = 0; e < destination.Length; e++)
        {
            var z = (stream << 48) + ((ulong)draw << 32) + (ulong)e;
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            var u = (double)(z >> 40);
            destination[e] = (float)((((u + 0.5) / 16777216.0) - 0.5) * Scale);
        }
    }
}
