using Glide.Evaluation;
using Glide.Imaging;

namespace Glide.Tests.Evaluation;

/// <summary>
/// The analyzer on scenes drawn with the world's exact geometry and palette: every shape, colour, background and
/// region at 256×256 and box-downsampled to 64×64, two-object scenes, blurred and noisy ones; and what must fail.
/// </summary>
public sealed class SceneAnalyzerTests
{
    private static readonly double[] Sizes = [0.10, 0.15, 0.21];

    public static TheoryData<ShapeKind, string, string> SingleObjectCases()
    {
        var data = new TheoryData<ShapeKind, string, string>();
        foreach (var shape in Enum.GetValues<ShapeKind>())
        {
            foreach (var background in ShapePalette.Backgrounds)
            {
                foreach (var region in SceneRegion.Named)
                {
                    data.Add(shape, background.Name, region.Name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SingleObjectCases))]
    public void FindsEveryColourOfAShapeInItsRegionAt256And64(ShapeKind shape, string backgroundName, string regionName)
    {
        var background = ShapePalette.FindBackground(backgroundName)!;
        Assert.True(SceneRegion.TryParse(regionName, out var region));
        var random = new Random(HashCode.Combine((int)shape, backgroundName.Length, regionName.Length, 17));
        var failures = new List<string>();
        for (var c = 0; c < ShapePalette.Objects.Count; c++)
        {
            var colour = ShapePalette.Objects[c];
            var r = Sizes[c % Sizes.Length] * (0.9 + (0.2 * random.NextDouble()));
            var (cx, cy) = Place(region, random);
            var high = SyntheticScenes.Render(
                SyntheticScenes.Jitter(background, random, 8),
                new SyntheticShape(shape, SyntheticScenes.Jitter(colour, random, 12), cx, cy, r));
            var expected = new CaptionObject(shape, colour, region, null);
            foreach (var image in new[] { high, SyntheticScenes.Downsample(high) })
            {
                var analysis = SceneAnalyzer.Analyze(image, [expected]);
                if (!analysis.AllCorrect)
                {
                    failures.Add(Describe(image, analysis.Objects[0], r));
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void FindsBothObjectsOfTwoObjectScenes()
    {
        // As world.py's two_object_scene: left/right or top/bottom, small or medium, spread ±0.12 along the other axis.
        var random = new Random(2);
        var failures = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            var horizontal = i % 2 == 0;
            var background = ShapePalette.Backgrounds[i % 3];
            var objects = new List<CaptionObject>();
            var shapes = new List<SyntheticShape>();
            foreach (var first in new[] { true, false })
            {
                var kind = (ShapeKind)random.Next(4);
                var colour = ShapePalette.Objects[random.Next(ShapePalette.Objects.Count)];
                var r = Sizes[random.Next(2)] * (0.9 + (0.2 * random.NextDouble()));
                var along = (first ? 0.27 : 0.73) + (0.08 * random.NextDouble()) - 0.04;
                var across = 0.5 + (0.24 * random.NextDouble()) - 0.12;
                var region = horizontal
                    ? first ? SceneRegion.LeftHalf : SceneRegion.RightHalf
                    : first ? SceneRegion.TopHalf : SceneRegion.BottomHalf;
                var (cx, cy) = horizontal ? (along, across) : (across, along);
                objects.Add(new CaptionObject(kind, colour, region, null));
                shapes.Add(new SyntheticShape(kind, SyntheticScenes.Jitter(colour, random, 12), cx, cy, r));
            }

            var high = SyntheticScenes.Render(SyntheticScenes.Jitter(background, random, 8), [.. shapes]);
            foreach (var image in new[] { high, SyntheticScenes.Downsample(high) })
            {
                var analysis = SceneAnalyzer.Analyze(image, objects);
                failures.AddRange(analysis.Objects.Where(o => !o.Correct).Select(o => Describe(image, o, 0)));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void ToleratesTheBlurAndNoiseOfGeneratedSamples()
    {
        // A 3×3 box blur at 64×64 (12 pixels at 256) rounds the tips off small shapes: nearly all must still pass.
        var random = new Random(5);
        var images = 0;
        var failures = new List<string>();
        foreach (var shape in Enum.GetValues<ShapeKind>())
        {
            for (var i = 0; i < 50; i++)
            {
                var background = ShapePalette.Backgrounds[i % 3];
                var colour = ShapePalette.Objects[i % ShapePalette.Objects.Count];
                var region = SceneRegion.Named[i % SceneRegion.Named.Count];
                var r = Sizes[i % Sizes.Length] * (0.9 + (0.2 * random.NextDouble()));
                var (cx, cy) = Place(region, random);
                var high = SyntheticScenes.Render(
                    SyntheticScenes.Jitter(background, random, 8),
                    new SyntheticShape(shape, SyntheticScenes.Jitter(colour, random, 12), cx, cy, r));
                var expected = new CaptionObject(shape, colour, region, null);
                foreach (var image in new[] { high, SyntheticScenes.Downsample(high) })
                {
                    var noisy = SyntheticScenes.BlurAndNoise(image, 6, images++);
                    var found = SceneAnalyzer.Analyze(noisy, [expected]).Objects[0];
                    Assert.True(found.ColourCorrect, Describe(noisy, found, r));
                    if (!found.ShapeCorrect)
                    {
                        failures.Add(Describe(noisy, found, r));
                    }
                }
            }
        }

        Assert.True(failures.Count <= images / 100, $"{failures.Count} of {images} shapes wrong:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void AWrongColourOrShapeNamedIsIncorrect()
    {
        var red = ShapePalette.FindObject("red")!;
        var high = SyntheticScenes.Render((245, 245, 245), new SyntheticShape(ShapeKind.Circle, (220, 40, 40), 0.27, 0.5, 0.15));

        var analysis = SceneAnalyzer.Analyze(SyntheticScenes.Downsample(high),
        [
            new CaptionObject(ShapeKind.Circle, ShapePalette.FindObject("orange")!, SceneRegion.LeftHalf, null),
            new CaptionObject(ShapeKind.Square, red, SceneRegion.LeftHalf, null),
        ]);

        Assert.False(analysis.Objects[0].ColourCorrect);
        Assert.Equal("red", analysis.Objects[0].DetectedColour?.Name);
        Assert.True(analysis.Objects[0].ShapeCorrect);
        Assert.True(analysis.Objects[1].ColourCorrect);
        Assert.False(analysis.Objects[1].ShapeCorrect);
        Assert.Equal(ShapeKind.Circle, analysis.Objects[1].DetectedShape);
        Assert.False(analysis.AllCorrect);
        Assert.Equal("white", analysis.Background.Name);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(256)]
    public void AnEmptyImageHasNothingAndIsWrongOnBothCounts(int size)
    {
        var pixels = new byte[size * size * 3];
        Array.Fill(pixels, (byte)128);

        var found = SceneAnalyzer.Analyze(
            new RgbImage(size, size, pixels),
            [new CaptionObject(ShapeKind.Square, ShapePalette.FindObject("blue")!, SceneRegion.Centre, null)]).Objects[0];

        Assert.False(found.Found);
        Assert.Null(found.DetectedColour);
        Assert.Null(found.DetectedShape);
        Assert.False(found.ColourCorrect);
        Assert.False(found.ShapeCorrect);
    }

    [Fact]
    public void AnObjectInTheWrongRegionIsNotFound()
    {
        var high = SyntheticScenes.Render((15, 15, 15), new SyntheticShape(ShapeKind.Triangle, (40, 200, 220), 0.73, 0.5, 0.15));

        var found = SceneAnalyzer.Analyze(
            high, [new CaptionObject(ShapeKind.Triangle, ShapePalette.FindObject("cyan")!, SceneRegion.LeftHalf, null)]).Objects[0];

        Assert.False(found.Found);
        Assert.False(found.Correct);
    }

    [Fact]
    public void AnObjectCrossingItsRegionsEdgeKeepsItsShape()
    {
        // A large shape on the left reaches past x = 0.5: the blob is traced beyond the region.
        var high = SyntheticScenes.Render((245, 245, 245), new SyntheticShape(ShapeKind.Diamond, (40, 170, 60), 0.31, 0.5, 0.231));

        var found = SceneAnalyzer.Analyze(
            high, [new CaptionObject(ShapeKind.Diamond, ShapePalette.FindObject("green")!, SceneRegion.LeftHalf, null)]).Objects[0];

        Assert.True(found.Correct, Describe(high, found, 0.231));
    }

    [Fact]
    public void AShapeOfNoKindIsNoShape()
    {
        // A thin bar: far from every shape of the world.
        var pixels = new byte[64 * 64 * 3];
        Array.Fill(pixels, (byte)245);
        for (var y = 30; y < 34; y++)
        {
            for (var x = 8; x < 56; x++)
            {
                pixels[3 * ((y * 64) + x)] = 40;
                pixels[(3 * ((y * 64) + x)) + 1] = 70;
                pixels[(3 * ((y * 64) + x)) + 2] = 220;
            }
        }

        var found = SceneAnalyzer.Analyze(
            new RgbImage(64, 64, pixels),
            [new CaptionObject(ShapeKind.Square, ShapePalette.FindObject("blue")!, SceneRegion.Anywhere, null)]).Objects[0];

        Assert.True(found.ColourCorrect);
        Assert.Null(found.DetectedShape);
        Assert.False(found.ShapeCorrect);
    }

    private static (double X, double Y) Place(SceneRegion region, Random random)
    {
        var (x, y) = region.Name switch
        {
            "left" => (0.27, 0.5),
            "right" => (0.73, 0.5),
            "top" => (0.5, 0.27),
            "bottom" => (0.5, 0.73),
            _ => (0.5, 0.5),
        };
        var jitter = region == SceneRegion.Centre ? 0.03 : 0.04;
        return (x + (jitter * ((2 * random.NextDouble()) - 1)), y + (jitter * ((2 * random.NextDouble()) - 1)));
    }

    private static string Describe(RgbImage image, ObjectAnalysis found, double r)
    {
        var g = found.Geometry;
        var geometry = g is null
            ? "no blob"
            : $"box {g.Width}×{g.Height}, fill {g.Fill:F3}, width ratio {g.WidthRatio:F3}, overlaps {string.Join("/", g.Overlaps.Select(o => o.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}";
        return $"{image.Width}px {found.Expected.Colour} {found.Expected.Shape} r={r:F3} in {found.Expected.Region}: " +
               $"found {found.DetectedColour?.Name ?? "nothing"} {found.DetectedShape?.ToString() ?? "-"} ({geometry})";
    }
}
