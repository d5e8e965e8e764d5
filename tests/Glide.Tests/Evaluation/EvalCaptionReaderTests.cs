using Glide.Evaluation;

namespace Glide.Tests.Evaluation;

/// <summary>The captions file: world.py's labels in, every problem named with its line before any work.</summary>
public sealed class EvalCaptionReaderTests
{
    private const string Single =
        """{"id": "eval-000", "caption": "a red circle on the left", "background": "white", "objects": [{"shape": "circle", "colour": "red", "region": "left", "size": null}]}""";

    private const string Pair =
        """{"id": "eval-001", "caption": "a blue square above a green triangle on a grey background", "background": "grey", "objects": [{"shape": "square", "colour": "blue", "region": "top", "size": null}, {"shape": "triangle", "colour": "green", "region": "bottom", "size": "small"}]}""";

    private static IReadOnlyList<EvalCaption> Parse(params string[] lines) => EvalCaptionReader.Parse(lines, "caps.jsonl");

    [Fact]
    public void ReadsTheWorldsLabels()
    {
        var captions = Parse(Single, "", Pair);

        Assert.Equal(2, captions.Count);
        var first = captions[0];
        Assert.Equal("eval-000", first.Id);
        Assert.Equal("a red circle on the left", first.Caption);
        Assert.Equal("white", first.Background?.Name);
        Assert.Equal(1, first.LineNumber);
        var circle = Assert.Single(first.Objects);
        Assert.Equal(new CaptionObject(ShapeKind.Circle, ShapePalette.FindObject("red")!, SceneRegion.LeftHalf, null), circle);

        var second = captions[1];
        Assert.Equal(3, second.LineNumber);
        Assert.Equal("gray", second.Background?.Name);
        Assert.Equal([SceneRegion.TopHalf, SceneRegion.BottomHalf], second.Objects.Select(o => o.Region));
        Assert.Equal("small", second.Objects[1].Size);
    }

    [Fact]
    public void ANullOrMissingRegionMeansAnywhereAndANullBackgroundNone()
    {
        var caption = Assert.Single(Parse(
            """{"id": "a", "caption": "a cyan diamond", "background": null, "objects": [{"shape": "diamond", "colour": "cyan", "region": null}]}"""));

        Assert.Null(caption.Background);
        Assert.Equal(SceneRegion.Anywhere, caption.Objects[0].Region);
    }

    [Theory]
    [InlineData("""{"id": "x", "caption": "c", "objects": [{"shape": "star", "colour": "red"}]}""", "objects[0]: unknown shape \"star\" (known: circle, square, triangle, diamond)")]
    [InlineData("""{"id": "x", "caption": "c", "objects": [{"shape": "circle", "colour": "teal"}]}""", "objects[0]: unknown colour \"teal\"")]
    [InlineData("""{"id": "x", "caption": "c", "objects": [{"shape": "circle", "colour": "red", "region": "middle"}]}""", "objects[0]: unknown region \"middle\"")]
    [InlineData("""{"id": "x", "caption": "c", "background": "beige", "objects": [{"shape": "circle", "colour": "red"}]}""", "unknown background \"beige\"")]
    [InlineData("""{"id": "x", "objects": [{"shape": "circle", "colour": "red"}]}""", "missing \"caption\"")]
    [InlineData("""{"id": 3, "caption": "c", "objects": [{"shape": "circle", "colour": "red"}]}""", "\"id\" must be a string, got number")]
    [InlineData("""{"id": "x", "caption": "c", "objects": []}""", "\"objects\" must hold 1 to 2 objects, got 0")]
    [InlineData("""{"id": "x", "caption": "c", "objects": [{"shape": "circle", "colour": "red", "region": "left"}, {"shape": "square", "colour": "blue"}]}""", "with two objects each must name its region")]
    [InlineData("""{"id": "x", "caption": "c", "objects": [{"shape": "circle", "colour": "red"}]""", "not a JSON object")]
    [InlineData("""["id"]""", "expected a JSON object, got array")]
    public void NamesTheLineAndTheProblem(string bad, string message)
    {
        var error = Assert.Throws<EvalCaptionsException>(() => Parse(Single, bad));

        Assert.StartsWith("caps.jsonl line 2: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void RefusesADuplicateId()
    {
        var error = Assert.Throws<EvalCaptionsException>(() => Parse(Single, Pair, Single));

        Assert.Equal("caps.jsonl line 3: id \"eval-000\" is already used on line 1", error.Message);
    }

    [Fact]
    public void RefusesAFileWithoutCaptions()
    {
        var error = Assert.Throws<EvalCaptionsException>(() => Parse("", "  "));

        Assert.Equal("caps.jsonl: no captions: the file is empty", error.Message);
        Assert.Null(error.Line);
    }
}
