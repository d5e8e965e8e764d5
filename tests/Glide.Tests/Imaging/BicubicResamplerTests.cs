using Glide.Imaging;
using Glide.Tests.Pipeline;

namespace Glide.Tests.Imaging;

/// <summary>The bicubic resize reproduces PIL's <c>Image.BICUBIC</c> byte for byte (tests/fixtures/inpaint/resize.npz).</summary>
public sealed class BicubicResamplerTests
{
    [Theory]
    [InlineData("source", 64, "bicubic64")]          // 93×75 → 64: shrinking, antialiased
    [InlineData("source", 256, "bicubic256")]        // 93×75 → 256: enlarging
    [InlineData("large_source", 64, "large_bicubic64")]   // 280×300 → 64: shrinking by ~4.5
    [InlineData("large_source", 256, "large_bicubic256")] // 280×300 → 256: shrinking slightly
    public void MatchesPilExactly(string source, int size, string expected)
    {
        var actual = BicubicResampler.Resize(InpaintFixture.Image(source), size, size);
        var reference = InpaintFixture.Image(expected);
        Assert.Equal(size, actual.Width);
        Assert.Equal(size, actual.Height);
        var differences = actual.Pixels.ToArray().Zip(reference.Pixels.ToArray(), (a, b) => Math.Abs(a - b)).ToArray();
        Assert.True(differences.Max() == 0, $"{differences.Count(d => d != 0)} of {differences.Length} values differ from PIL (max {differences.Max()} levels)");
    }

    [Fact]
    public void TheSameSizeIsACopy()
    {
        var source = InpaintFixture.Image("bicubic64");
        Assert.Equal(source.Pixels.ToArray(), BicubicResampler.Resize(source, 64, 64).Pixels.ToArray());
    }

    [Fact]
    public void OnePixelFillsTheWholeTarget()
    {
        var resized = BicubicResampler.Resize(new RgbImage(1, 1, [10, 200, 255]), 5, 3);
        for (var p = 0; p < 15; p++)
        {
            Assert.Equal(new byte[] { 10, 200, 255 }, resized.Pixels.Slice(3 * p, 3).ToArray());
        }
    }

    [Fact]
    public void AConstantImageStaysConstant()
    {
        var pixels = Enumerable.Repeat(new byte[] { 7, 128, 250 }, 37 * 11).SelectMany(p => p).ToArray();
        var resized = BicubicResampler.Resize(new RgbImage(37, 11, pixels), 64, 256);
        Assert.All(Enumerable.Range(0, 64 * 256), p => Assert.Equal(new byte[] { 7, 128, 250 }, resized.Pixels.Slice(3 * p, 3).ToArray()));
    }

    [Fact]
    public void KernelIsKeysCubicWithAMinusHalf()
    {
        Assert.Equal(1.0, BicubicResampler.Kernel(0));
        Assert.Equal(0.0, BicubicResampler.Kernel(1));
        Assert.Equal(0.0, BicubicResampler.Kernel(2));
        Assert.Equal(0.5625, BicubicResampler.Kernel(0.5));   // 1.5·x³ − 2.5·x² + 1
        Assert.Equal(-0.0625, BicubicResampler.Kernel(-1.5)); // −0.5·(x³ − 5x² + 8x − 4)
    }

    [Theory]
    [InlineData(0, 64)]
    [InlineData(64, 0)]
    public void RejectsAnEmptyTarget(int width, int height) =>
        Assert.Throws<ArgumentException>(() => BicubicResampler.Resize(new RgbImage(1, 1, [0, 0, 0]), width, height));
}
