using Glide.Imaging;
using Glide.Pipeline;
using Glide.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Glide.Tests.Pipeline;

/// <summary>The source image and mask at both model sizes, as the notebook prepares them (glide-spec §8.3).</summary>
public sealed class InpaintInputsTests
{
    [Fact]
    public void ImagesAreThePilResizesScaledToUnitRange()
    {
        var inputs = InpaintFixture.Inputs();
        AssertScaled(InpaintFixture.Image("bicubic64"), inputs.Image64);
        AssertScaled(InpaintFixture.Image("bicubic256"), inputs.Image256);
        Assert.Equal(InpaintFixture.Resize["mask64"].AsSingle(), inputs.Mask64.ToArray());
        Assert.Equal(inputs.Mask64.ToArray().Count(m => m == 1f), inputs.KeptPixels);
    }

    [Fact]
    public void TheLargeMaskIsTheSmallOneInFourByFourBlocks()
    {
        var inputs = InpaintFixture.Inputs();
        for (var y = 0; y < 256; y++)
        {
            for (var x = 0; x < 256; x++)
            {
                Assert.Equal(inputs.Mask64[((y / 4) * 64) + (x / 4)], inputs.Mask256[(y * 256) + x]);
            }
        }
    }

    [Fact]
    public void FromPngReadsBothFilesAndNamesTheBadOne()
    {
        var source = Png(InpaintFixture.Image("source"));
        var mask = Png(InpaintFixture.Image("mask_source"));
        var inputs = InpaintInputs.FromPng(source, mask);
        Assert.Equal(InpaintFixture.Inputs().Image256.ToArray(), inputs.Image256.ToArray());

        var inverted = InpaintInputs.FromPng(source, mask, invertMask: true);
        Assert.Equal(4096 - inputs.KeptPixels, inverted.KeptPixels);

        var e = Assert.Throws<InvalidImageException>(() => InpaintInputs.FromPng(source, mask.AsSpan(0, mask.Length / 2)));
        Assert.Equal("mask", e.Field);
        e = Assert.Throws<InvalidImageException>(() => InpaintInputs.FromPng(source.AsSpan(0, 30), mask));
        Assert.Equal("image", e.Field);
    }

    [Fact]
    public void AMaskThatKeepsEverythingIsRefused()
    {
        var white = new RgbImage(3, 2, Enumerable.Repeat((byte)255, 18).ToArray());
        var e = Assert.Throws<InvalidImageException>(() => InpaintInputs.FromImages(InpaintFixture.Image("source"), white));
        Assert.Equal("mask", e.Field);
        Assert.Contains("nothing to generate", e.Message);

        // Inverted, the same picture generates everything: allowed.
        Assert.Equal(0, InpaintInputs.FromImages(InpaintFixture.Image("source"), white, invertMask: true).KeptPixels);
    }

    [Fact]
    public void NonBinaryMaskValuesAreRefused()
    {
        var mask = InpaintMask.KeepTopRows(20, 64);
        mask[100] = 0.5f;
        var e = Assert.Throws<InvalidImageException>(() => InpaintInputs.Create(InpaintFixture.Image("source"), mask));
        Assert.Contains("0 (generate) or 1 (keep)", e.Message);
        Assert.Throws<ArgumentException>(() => InpaintInputs.Create(InpaintFixture.Image("source"), new float[63 * 63]));
    }

    [Fact]
    public void ArraysRoundTrip()
    {
        var inputs = InpaintFixture.Inputs();
        var (image64, mask64, image256) = inputs.ToArrays();
        Assert.Equal([3, 64, 64], image64.Shape);
        Assert.Equal([1, 64, 64], mask64.Shape);
        Assert.Equal([3, 256, 256], image256.Shape);

        // Through the .npy format, as blobs would carry them.
        var back = InpaintInputs.FromArrays(RoundTrip(image64), RoundTrip(mask64), RoundTrip(image256), "blobs");
        Assert.Equal(inputs.Image64.ToArray(), back.Image64.ToArray());
        Assert.Equal(inputs.Mask256.ToArray(), back.Mask256.ToArray());
        Assert.Equal(inputs.Image256.ToArray(), back.Image256.ToArray());
    }

    [Fact]
    public void FromArraysRefusesWhatToArraysNeverWrites()
    {
        var (image64, mask64, image256) = InpaintFixture.Inputs().ToArrays();
        Assert.Contains("image64", Assert.Throws<InvalidDataException>(
            () => InpaintInputs.FromArrays(image256, mask64, image256, "run/x")).Message);
        var outOfRange = image64.AsSingle().ToArray();
        outOfRange[5] = 1.5f;
        Assert.Contains("[-1, 1]", Assert.Throws<InvalidDataException>(
            () => InpaintInputs.FromArrays(NpyArray.FromSingle(outOfRange, 3, 64, 64), mask64, image256, "run/x")).Message);
        var allKept = NpyArray.FromSingle(Enumerable.Repeat(1f, 4096).ToArray(), 1, 64, 64);
        Assert.Contains("nothing to generate", Assert.Throws<InvalidDataException>(
            () => InpaintInputs.FromArrays(image64, allKept, image256, "run/x")).Message);
    }

    private static void AssertScaled(RgbImage expected, ReadOnlySpan<float> actual)
    {
        var plane = expected.Width * expected.Height;
        for (var p = 0; p < plane; p++)
        {
            for (var c = 0; c < 3; c++)
            {
                var level = expected.Pixels[(3 * p) + c];
                Assert.Equal((level / 127.5f) - 1f, actual[(c * plane) + p]);
            }
        }
    }

    private static byte[] Png(RgbImage image)
    {
        using var picture = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        using var stream = new MemoryStream();
        picture.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.Rgb });
        return stream.ToArray();
    }

    private static NpyArray RoundTrip(NpyArray array)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, array);
        stream.Position = 0;
        return NpyReader.Read(stream, "blob.npy");
    }
}
