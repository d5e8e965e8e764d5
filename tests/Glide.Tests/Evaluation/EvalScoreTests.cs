using Glide.Evaluation;
using Glide.Imaging;

namespace Glide.Tests.Evaluation;

public sealed class EvalScoreTests
{
    private static readonly PaletteColour Red = ShapePalette.FindObject("red")!;
    private static readonly PaletteColour Blue = ShapePalette.FindObject("blue")!;

    private static ObjectAnalysis Found(PaletteColour? colour, ShapeKind? shape) =>
        new(new CaptionObject(ShapeKind.Circle, Red, SceneRegion.Anywhere, null), colour, shape, 100, null);

    private static EvalCaptionResult Caption(int index, params ObjectAnalysis[] objects)
    {
        var caption = new EvalCaption($"c{index}", "a red circle", null, [.. objects.Select(o => o.Expected)], index + 1);
        var analysis = new SceneAnalysis((245, 245, 245), ShapePalette.Backgrounds[0], objects);
        var image = new EvalImage(0, index, null, new RgbImage(1, 1, new byte[3]));
        return new EvalCaptionResult(caption, index, index, [new EvalImageResult(image, analysis)]);
    }

    [Fact]
    public void CountsObjectsForColourAndShapeAndImagesForAllCorrect()
    {
        var score = EvalScore.Of(
        [
            Caption(0, Found(Red, ShapeKind.Circle)),
            Caption(1, Found(Red, ShapeKind.Square), Found(Red, ShapeKind.Circle)),
            Caption(2, Found(null, null)),
            Caption(3, Found(Blue, ShapeKind.Circle)),
        ]);

        Assert.Equal(new EvalScore(Captions: 4, Images: 4, Objects: 5, ColourCorrect: 3, ShapeCorrect: 3, AllCorrect: 1), score);
        Assert.Equal(0.6, score.ColourAccuracy, 1e-12);
        Assert.Equal(0.6, score.ShapeAccuracy, 1e-12);
        Assert.Equal(0.25, score.AllCorrectAccuracy, 1e-12);
    }
}
