namespace Glide.Tests.Models.Runtime;

[Collection(TinyModelSetCollection.Name)]
public sealed class ClipImageGraphTests(TinyModelSetFixture fixture)
{
    [Fact]
    public void Encode_reproduces_the_pytorch_output()
    {
        var clip = fixture.Set.ClipImage!;
        var reference = fixture.Reference("clip.image");

        var embeddings = clip.Encode(reference["in.x_t"].AsSingle(), reference["in.timesteps"].AsInt64());

        Assert.Equal(64, clip.ImageSize);
        Assert.Equal(reference["out.image_emb"].Shape[1], clip.EmbeddingWidth);
        RuntimeAssert.Close(reference["out.image_emb"].AsSingle(), embeddings, 1e-4, "clip.image image_emb");
    }

    [Fact]
    public void An_x_of_the_wrong_length_gives_expected_and_actual()
    {
        var clip = fixture.Set.ClipImage!;

        var error = Assert.Throws<ArgumentException>(() => clip.Encode(new float[3 * 64 * 64], [0, 0]));

        Assert.Equal("x", error.ParamName);
        Assert.StartsWith(
            "expected 24576 values ([2, 3, 64, 64] for batch 2), got 12288", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timestep_outside_the_table_is_refused()
    {
        var clip = fixture.Set.ClipImage!;

        var error = Assert.Throws<ArgumentException>(() => clip.Encode(new float[3 * 64 * 64], [clip.TimestepCount]));

        Assert.Equal("timesteps", error.ParamName);
        Assert.StartsWith(
            $"timestep {clip.TimestepCount} at [0] is outside [0, {clip.TimestepCount})",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void No_timesteps_is_refused()
    {
        var clip = fixture.Set.ClipImage!;

        Assert.Throws<ArgumentException>("timesteps", () => clip.Encode([], [], []));
    }
}
