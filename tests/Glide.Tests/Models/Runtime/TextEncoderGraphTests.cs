namespace Glide.Tests.Models.Runtime;

[Collection(TinyModelSetCollection.Name)]
public sealed class TextEncoderGraphTests(TinyModelSetFixture fixture)
{
    public static TheoryData<string> TextGraphs() => TinyModelSetFixture.TextGraphs();

    [Theory]
    [MemberData(nameof(TextGraphs))]
    public void Encode_reproduces_the_pytorch_outputs(string graphName)
    {
        var encoder = fixture.Text(graphName);
        var reference = fixture.Reference(graphName);
        var tokens = reference["in.tokens"];

        var text = encoder.Encode(tokens.AsInt64(), reference["in.mask"].AsBoolean(), tokens.Shape[0]);

        Assert.Equal(tokens.Shape[0], text.Batch);
        Assert.Equal(reference["out.xf_proj"].Shape[1], text.ProjectionWidth);
        Assert.Equal(reference["out.xf_out"].Shape[1], text.Width);
        Assert.Equal(encoder.ContextLength, text.ContextLength);
        RuntimeAssert.Close(reference["out.xf_proj"].AsSingle(), text.XfProj, 1e-4, $"{graphName} xf_proj");
        RuntimeAssert.Close(reference["out.xf_out"].AsSingle(), text.XfOut, 1e-4, $"{graphName} xf_out");
    }

    [Fact]
    public void A_row_encoded_alone_equals_that_row_of_a_batch()
    {
        var encoder = fixture.Set.BaseText!;
        var reference = fixture.Reference("base.text");
        var tokens = reference["in.tokens"].AsInt64();
        var mask = reference["in.mask"].AsBoolean();
        var both = encoder.Encode(tokens, mask, 2);
        var context = encoder.ContextLength;

        for (var row = 0; row < 2; row++)
        {
            var alone = encoder.Encode(tokens.AsSpan(row * context, context), mask.AsSpan(row * context, context), 1);

            RuntimeAssert.Close(both.XfProjRow(row), alone.XfProj, 1e-5, $"xf_proj row {row}");
            RuntimeAssert.Close(both.XfOutRow(row), alone.XfOut, 1e-5, $"xf_out row {row}");
        }
    }

    [Fact]
    public void Tokens_of_the_wrong_length_give_expected_and_actual()
    {
        var encoder = fixture.Set.BaseText!;

        var error = Assert.Throws<ArgumentException>(() => encoder.Encode(new long[255], new bool[256], 2));

        Assert.Equal("tokens", error.ParamName);
        Assert.StartsWith(
            "expected 256 values ([2, 128] for batch 2), got 255", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mask_of_the_wrong_length_is_refused()
    {
        var encoder = fixture.Set.BaseText!;

        var error = Assert.Throws<ArgumentException>(() => encoder.Encode(new long[128], new bool[256], 1));

        Assert.Equal("mask", error.ParamName);
        Assert.StartsWith(
            "expected 128 values ([1, 128] for batch 1), got 256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_of_zero_is_refused()
    {
        var encoder = fixture.Set.BaseText!;

        Assert.Throws<ArgumentOutOfRangeException>("batch", () => encoder.Encode([], [], 0));
    }

    [Fact]
    public void A_token_outside_the_vocabulary_is_named_with_its_position()
    {
        var encoder = fixture.Set.BaseText!;
        var tokens = new long[256];
        tokens[128 + 5] = encoder.VocabularySize;

        var error = Assert.Throws<ArgumentException>(() => encoder.Encode(tokens, new bool[256], 2));

        Assert.Equal("tokens", error.ParamName);
        Assert.StartsWith(
            $"token {encoder.VocabularySize} at [1, 5] is outside [0, {encoder.VocabularySize})",
            error.Message,
            StringComparison.Ordinal);
    }
}
