using Glide.Evaluation;

namespace Glide.Tests.Evaluation;

public sealed class SceneRegionTests
{
    [Fact]
    public void ParsesTheWorldsRegionsAndCenterAsCentre()
    {
        Assert.Equal(["left", "right", "top", "bottom", "centre"], SceneRegion.Named.Select(r => r.Name));
        Assert.True(SceneRegion.TryParse("center", out var centre));
        Assert.Same(SceneRegion.Centre, centre);
        Assert.False(SceneRegion.TryParse("middle", out _));
        Assert.False(SceneRegion.TryParse("anywhere", out _));
    }

    [Theory]
    [InlineData("left", 31, 0, true)]
    [InlineData("left", 32, 0, false)]
    [InlineData("right", 32, 63, true)]
    [InlineData("top", 0, 31, true)]
    [InlineData("bottom", 0, 31, false)]
    [InlineData("centre", 16, 16, true)]
    [InlineData("centre", 15, 32, false)]
    [InlineData("centre", 47, 47, true)]
    [InlineData("centre", 48, 47, false)]
    public void APixelIsInARegionWhenItsCentreIs(string name, int x, int y, bool inside)
    {
        Assert.True(SceneRegion.TryParse(name, out var region));

        Assert.Equal(inside, region.Contains(x, y, 64, 64));
    }
}
