using Glide.Imaging;
using Glide.Tests.Pipeline;

namespace Glide.Tests.Imaging;

/// <summary>Mask pictures → 64×64 keep/generate masks: luminance, nearest resize, 50 % threshold (as PIL does it).</summary>
public sealed class InpaintMaskTests
{
    [Fact]
    public void MatchesThePilRuleOnTheFixtureMask()
    {
        var expected = InpaintFixture.Resize["mask64"].AsSingle();
        var actual = InpaintMask.FromImage(InpaintFixture.Image("mask_source"), 64);
        Assert.Equal(expected, actual);
        Assert.InRange(actual.Average(), 0.2, 0.8); // the fixture keeps part and paints part
    }

    [Fact]
    public void InvertSwapsKeepAndGenerate()
    {
        var mask = InpaintFixture.Image("mask_source");
        var straight = InpaintMask.FromImage(mask, 64);
        var inverted = InpaintMask.FromImage(mask, 64, invert: true);
        Assert.Equal(straight.Select(m => 1f - m), inverted);
    }

    [Theory]
    [InlineData(255, 255, 255, 1f)]
    [InlineData(0, 0, 0, 0f)]
    [InlineData(128, 128, 128, 1f)] // 50 % grey and above keeps
    [InlineData(127, 127, 127, 0f)]
    [InlineData(255, 0, 0, 0f)]     // pure red: luminance 76
    [InlineData(255, 255, 0, 1f)]   // yellow: 226
    [InlineData(0, 255, 0, 1f)]     // green: 150
    public void ThresholdsTheLuminanceAtHalfGrey(byte r, byte g, byte b, float expected)
    {
        var mask = InpaintMask.FromImage(new RgbImage(1, 1, [r, g, b]), 4);
        Assert.All(mask, m => Assert.Equal(expected, m));
    }

    [Fact]
    public void LuminanceIsPilsFixedPointFormula()
    {
        Assert.Equal(76, InpaintMask.Luminance(255, 0, 0));
        Assert.Equal(150, InpaintMask.Luminance(0, 255, 0));
        Assert.Equal(29, InpaintMask.Luminance(0, 0, 255));
        Assert.Equal(255, InpaintMask.Luminance(255, 255, 255));
    }

    [Fact]
    public void NearestTakesTheCentreOfEachTargetPixel()
    {
        // A 4-row picture, rows white, black, white, black: at 8 rows each row covers two target rows.
        byte[] rows = [255, 0, 255, 0];
        var picture = new RgbImage(1, 4, [.. rows.SelectMany(v => new[] { v, v, v })]);
        var mask = InpaintMask.FromImage(picture, 8);
        Assert.Equal([1, 1, 0, 0, 1, 1, 0, 0], Enumerable.Range(0, 8).Select(y => mask[y * 8]));
        Assert.Equal([0, 2, 3, 5], InpaintMask.NearestIndices(6, 4)); // floor((i + 0.5)·6/4)
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], InpaintMask.NearestIndices(4, 8));
        Assert.Equal([0, 1, 2], InpaintMask.NearestIndices(3, 3));
    }

    [Fact]
    public void KeepTopRowsIsTheNotebookMask()
    {
        var mask = InpaintMask.KeepTopRows(20, 64);
        for (var y = 0; y < 64; y++)
        {
            Assert.All(mask.AsSpan(y * 64, 64).ToArray(), m => Assert.Equal(y < 20 ? 1f : 0f, m));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => InpaintMask.KeepTopRows(65, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => InpaintMask.KeepTopRows(-1, 64));
    }

    [Fact]
    public void UpsampleRepeatsEachPixelInABlock()
    {
        var mask = InpaintMask.Upsample([1, 0, 0, 1], 2, 4);
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                Assert.Equal((y < 4) == (x < 4) ? 1f : 0f, mask[(y * 8) + x]);
            }
        }
    }
}
