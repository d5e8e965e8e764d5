using Glide.Evaluation;

namespace Glide.Tests.Evaluation;

public sealed class ShapePaletteTests
{
    [Fact]
    public void HoldsTheRenderersColours()
    {
        Assert.Equal(
            ["red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "brown"],
            ShapePalette.Objects.Select(c => c.Name));
        Assert.Equal(new PaletteColour("purple", 140, 50, 190), ShapePalette.FindObject("purple"));
        Assert.Equal(new PaletteColour("gray", 128, 128, 128), ShapePalette.FindBackground("gray"));
    }

    [Fact]
    public void GreyIsGray()
    {
        Assert.Same(ShapePalette.FindBackground("gray"), ShapePalette.FindBackground("grey"));
        Assert.Null(ShapePalette.FindObject("grey"));
        Assert.Null(ShapePalette.FindBackground("Gray"));
    }

    [Fact]
    public void EveryJitteredColourIsNearestItself()
    {
        // Training jitters each channel by up to ±12: every corner of that cube must still classify correctly.
        int[] offsets = [-12, 0, 12];
        for (var k = 0; k < ShapePalette.Objects.Count; k++)
        {
            var colour = ShapePalette.Objects[k];
            foreach (var dr in offsets)
            {
                foreach (var dg in offsets)
                {
                    foreach (var db in offsets)
                    {
                        Assert.Equal(k, ShapePalette.Nearest(
                            ShapePalette.Objects,
                            Math.Clamp(colour.R + dr, 0, 255), Math.Clamp(colour.G + dg, 0, 255), Math.Clamp(colour.B + db, 0, 255)));
                    }
                }
            }
        }
    }
}
