using System.Globalization;
using Glide.Imaging;
using Glide.Tensors;

namespace Glide.Pipeline;

/// <summary>
/// The source image and mask of an inpainting request at both model sizes (glide-spec §8.3), ready for
/// <see cref="InpaintStages"/>: the image resized with PIL-exact bicubic (<see cref="BicubicResampler"/>) to 64×64
/// and, separately from the original, to 256×256, each scaled x/127.5 − 1; the mask at 64×64 (1 = keep,
/// 0 = generate) and its nearest 4× upsampling at 256×256.
/// </summary>
/// <remarks>
/// Images of any size are stretched to a square, not cropped, as the notebook's <c>resize((size, size))</c> does.
/// A mask that keeps every pixel is refused (there would be nothing to generate); one that keeps none is allowed
/// (plain text-to-image with the inpainting models). Immutable, so one instance may serve every image of a request
/// and several threads.
/// </remarks>
public sealed class InpaintInputs
{
    public const int BaseSize = 64;
    public const int UpsampleSize = 256;
    public const string ImageField = "image";
    public const string MaskField = "mask";

    private readonly float[] _image64;
    private readonly float[] _mask64;
    private readonly float[] _image256;
    private readonly float[] _mask256;

    private InpaintInputs(float[] image64, float[] mask64, float[] image256)
    {
        _image64 = image64;
        _mask64 = mask64;
        _image256 = image256;
        _mask256 = InpaintMask.Upsample(mask64, BaseSize, UpsampleSize / BaseSize);
        KeptPixels = mask64.Count(m => m == 1f);
    }

    /// <summary>[3, 64, 64] in [−1, 1].</summary>
    public ReadOnlySpan<float> Image64 => _image64;

    /// <summary>[1, 64, 64]: 1 = keep, 0 = generate.</summary>
    public ReadOnlySpan<float> Mask64 => _mask64;

    /// <summary>[3, 256, 256] in [−1, 1].</summary>
    public ReadOnlySpan<float> Image256 => _image256;

    /// <summary>[1, 256, 256]: <see cref="Mask64"/> with each pixel repeated in a 4×4 block.</summary>
    public ReadOnlySpan<float> Mask256 => _mask256;

    /// <summary>Kept pixels of the 64×64 mask (of 4,096).</summary>
    public int KeptPixels { get; }

    /// <summary>From a decoded image and a 64×64 mask of 0/1 values.</summary>
    /// <exception cref="InvalidImageException">The mask is not 0/1 or keeps every pixel.</exception>
    public static InpaintInputs Create(RgbImage image, ReadOnlySpan<float> mask64)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (mask64.Length != BaseSize * BaseSize)
        {
            throw new ArgumentException(
                $"expected a {BaseSize}×{BaseSize} mask ({BaseSize * BaseSize} values), got {mask64.Length}", nameof(mask64));
        }

        var mask = mask64.ToArray();
        CheckMask(mask, static message => new InvalidImageException(MaskField, message));
        return new InpaintInputs(
            ToModelRange(BicubicResampler.Resize(image, BaseSize, BaseSize)),
            mask,
            ToModelRange(BicubicResampler.Resize(image, UpsampleSize, UpsampleSize)));
    }

    /// <summary>From decoded pictures; the mask is read as <see cref="InpaintMask.FromImage"/> documents.</summary>
    /// <param name="image">The source, any size.</param>
    /// <param name="mask">White keeps, black is generated (or the reverse with <paramref name="invertMask"/>).</param>
    /// <param name="invertMask">Read white as generate.</param>
    public static InpaintInputs FromImages(RgbImage image, RgbImage mask, bool invertMask = false)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return Create(image, InpaintMask.FromImage(mask, BaseSize, invertMask));
    }

    /// <summary>From uploaded PNG bytes: validated (<see cref="PngImageReader"/>), decoded, resized.</summary>
    /// <exception cref="InvalidImageException">Either file is unusable; <see cref="InvalidImageException.Field"/>
    /// says which ("image" or "mask").</exception>
    public static InpaintInputs FromPng(
        ReadOnlySpan<byte> imagePng, ReadOnlySpan<byte> maskPng, bool invertMask = false, ImageLimits? limits = null)
    {
        var image = PngImageReader.Read(imagePng, ImageField, limits);
        var mask = PngImageReader.Read(maskPng, MaskField, limits);
        return FromImages(image, mask, invertMask);
    }

    /// <summary>The arrays to store between stages: image64 [3, 64, 64], mask64 [1, 64, 64], image256 [3, 256, 256].</summary>
    public (NpyArray Image64, NpyArray Mask64, NpyArray Image256) ToArrays() => (
        NpyArray.FromSingle((float[])_image64.Clone(), 3, BaseSize, BaseSize),
        NpyArray.FromSingle((float[])_mask64.Clone(), 1, BaseSize, BaseSize),
        NpyArray.FromSingle((float[])_image256.Clone(), 3, UpsampleSize, UpsampleSize));

    /// <summary>Rebuilds the inputs from <see cref="ToArrays"/>'s arrays (e.g. read back from blobs).</summary>
    /// <param name="image64">float32 [3, 64, 64] in [−1, 1].</param>
    /// <param name="mask64">float32 [1, 64, 64] of 0/1, not all 1.</param>
    /// <param name="image256">float32 [3, 256, 256] in [−1, 1].</param>
    /// <param name="source">Named in errors.</param>
    /// <exception cref="InvalidDataException">A shape, dtype or value is not what <see cref="ToArrays"/> writes.</exception>
    public static InpaintInputs FromArrays(NpyArray image64, NpyArray mask64, NpyArray image256, string source)
    {
        ArgumentNullException.ThrowIfNull(image64);
        ArgumentNullException.ThrowIfNull(mask64);
        ArgumentNullException.ThrowIfNull(image256);
        var small = ReadImage(image64, BaseSize, source, "image64");
        var large = ReadImage(image256, UpsampleSize, source, "image256");
        RequireShape(mask64, [1, BaseSize, BaseSize], source, "mask64");
        var mask = mask64.AsSingle();
        CheckMask(mask, message => new InvalidDataException($"{source}: mask64: {message}"));
        return new InpaintInputs(small, mask, large);
    }

    /// <summary>uint8 [H, W, 3] → float32 [3, H, W]: x/127.5 − 1, the notebook's float32 arithmetic.</summary>
    internal static float[] ToModelRange(RgbImage image)
    {
        var plane = image.Width * image.Height;
        var pixels = image.Pixels;
        var result = new float[3 * plane];
        for (var p = 0; p < plane; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                result[(c * plane) + p] = (pixels[(3 * p) + c] / 127.5f) - 1f;
            }
        }

        return result;
    }

    private static void CheckMask(float[] mask, Func<string, Exception> error)
    {
        var generated = 0;
        foreach (var m in mask)
        {
            if (m != 0f && m != 1f)
            {
                throw error(string.Create(CultureInfo.InvariantCulture, $"mask values must be 0 (generate) or 1 (keep), found {m}"));
            }

            generated += m == 0f ? 1 : 0;
        }

        if (generated == 0)
        {
            throw error(
                $"the mask keeps every pixel at {BaseSize}×{BaseSize}, so there is nothing to generate: make the " +
                "region to generate black (below 50 % grey), or invert the mask if it is drawn white-to-generate");
        }
    }

    private static float[] ReadImage(NpyArray array, int size, string source, string name)
    {
        RequireShape(array, [3, size, size], source, name);
        var values = array.AsSingle();
        foreach (var v in values)
        {
            if (!(v >= -1f && v <= 1f))
            {
                throw new InvalidDataException(
                    string.Create(CultureInfo.InvariantCulture, $"{source}: {name} values must lie in [-1, 1], found {v}"));
            }
        }

        return values;
    }

    private static void RequireShape(NpyArray array, int[] shape, string source, string name)
    {
        if (array.DType != NpyDType.Float32 || !array.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException(
                $"{source}: {name} must be float32 [{string.Join(", ", shape)}], " +
                $"got {array.DType.ToString().ToLowerInvariant()} {array.FormatShape()}");
        }
    }
}
