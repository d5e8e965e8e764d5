namespace Glide.Tests.Models.Runtime;

[Collection(TinyModelSetCollection.Name)]
public sealed class ClipTextGraphTests(TinyModelSetFixture fixture)
{
    [Fact]
    public void Encode_reproduces_the_pytorch_output()
    {
        var clip = fixture.Set.ClipText!;
        var reference = fixture.Reference("clip.text");

        var embeddings = clip.Encode(reference["in.tokens"].AsInt64(), reference["in.text_len"].AsInt64());

        Assert.Equal(reference["out.text_emb"].Shape[1], clip.EmbeddingWidth);
        RuntimeAssert.Close(reference["out.text_emb"].AsSingle(), embeddings, 1e-4, "clip.text text_emb");
    }

    [Fact]
    public void Encode_writes_into_a_given_span()
    {
        var clip = fixture.Set.ClipText!;
        var reference = fixture.Reference("clip.text");
        var destination = new float[2 * clip.EmbeddingWidth + 3];

        clip.Encode(reference["in.tokens"].AsInt64(), reference["in.text_len"].AsInt64(), destination.AsSpan(3));

        RuntimeAssert.Close(reference["out.text_emb"].AsSingle(), destination.AsSpan(3), 1e-4, "clip.text text_emb");
    }

    [Fact]
    public void Tokens_of_the_wrong_length_give_expected_and_actual()
    {
        var clip = fixture.Set.ClipText!;

        var error = Assert.Throws<ArgumentException>(() => clip.Encode(new long[128], [2]));

        Assert.Equal("tokens", error.ParamName);
        Assert.StartsWith("expected 77 values ([1, 77] for batch 1), got 128", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_destination_of_the_wrong_length_is_refused()
    {
        var clip = fixture.Set.ClipText!;

        var error = Assert.Throws<ArgumentException>(
            () => clip.Encode(new long[77], [2], new float[clip.EmbeddingWidth + 1]));

        Assert.Equal("embeddings", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(78)]
    public void A_text_length_outside_the_context_is_refused(long length)
    {
        var clip = fixture.Set.ClipText!;

        var error = Assert.Throws<ArgumentException>(() => clip.Encode(new long[77], [length]));

        Assert.Equal("textLengths", error.ParamName);
        Assert.StartsWith($"text length {length} at [0] is outside [1, 78)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_outside_the_vocabulary_is_refused()
    {
        var clip = fixture.Set.ClipText!;
        var tokens = new long[77];
        tokens[3] = -1;

        var error = Assert.Throws<ArgumentException>(() => clip.Encode(tokens, [5]));

        Assert.StartsWith(
            $"token -1 at [0, 3] is outside [0, {clip.VocabularySize})", error.Message, StringComparison.Ordinal);
    }
}
