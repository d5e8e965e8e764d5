using Glide.Evaluation;

namespace Glide.Tests.Evaluation;

/// <summary>Shape measurement on ideal rasterised shapes (pixel centres inside the outline), and what is no shape.</summary>
public sealed class ShapeGeometryTests
{
    private const int Size = 64;

    private static List<int> Rasterise(Func<double, double, bool> inside)
    {
        var pixels = new List<int>();
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                if (inside(x + 0.5, y + 0.5))
                {
                    pixels.Add((y * Size) + x);
                }
            }
        }

        return pixels;
    }

    [Theory]
    [InlineData(ShapeKind.Circle, 0.785, 1.0)]
    [InlineData(ShapeKind.Square, 1.0, 1.0)]
    [InlineData(ShapeKind.Triangle, 0.5, 0.333)]
    [InlineData(ShapeKind.Diamond, 0.5, 1.0)]
    public void NamesEachShapeAndMeasuresItsFillAndWidthRatio(ShapeKind kind, double fill, double widthRatio)
    {
        var geometry = ShapeGeometry.Measure(
            Rasterise((x, y) => ShapeTemplate.Contains(kind, x - 32, y - 32, 20)), Size, Size);

        Assert.Equal(kind, geometry.Classify());
        Assert.Equal(fill, geometry.Fill, 0.06);
        Assert.Equal(widthRatio, geometry.WidthRatio, 0.06);
        Assert.True(geometry.Overlaps[(int)kind] > 0.95, $"overlap {geometry.Overlaps[(int)kind]}");
    }

    [Fact]
    public void ATrianglePointingDownIsNoShapeOfTheWorld()
    {
        var geometry = ShapeGeometry.Measure(
            Rasterise((x, y) => ShapeTemplate.Contains(ShapeKind.Triangle, x - 32, 32 - y, 20)), Size, Size);

        Assert.Equal(3, geometry.WidthRatio, 0.3);
        Assert.NotEqual(ShapeKind.Triangle, geometry.Classify());
    }

    [Fact]
    public void ABarIsNoShape()
    {
        var geometry = ShapeGeometry.Measure(Rasterise((x, y) => y is > 30 and < 34 && x is > 8 and < 56), Size, Size);

        Assert.Null(geometry.Classify());
    }
}
