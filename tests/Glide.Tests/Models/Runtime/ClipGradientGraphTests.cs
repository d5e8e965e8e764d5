namespace Glide.Tests.Models.Runtime;

/// <summary>
/// <c>clip.grad</c> in ONNX Runtime against torch autograd (the verify file's <c>out.grad</c> is autograd's, on inputs
/// other than the ones the exporter traced with), relative to the gradient's own size rather than FORMAT.md's
/// max(1, ·) floor: the gradient is small (≈0.2), and the floor would hide a 0.05 % error.
/// </summary>
[Collection(TinyModelSetCollection.Name)]
public sealed class ClipGradientGraphTests(TinyModelSetFixture fixture)
{
    private const double RelativeTolerance = 1e-4;

    [Fact]
    public void Gradient_matches_pytorch_autograd_relative_to_its_size()
    {
        var clip = fixture.Set.ClipGradient!;
        var reference = fixture.Reference("clip.grad");
        var expected = reference["out.grad"].AsSingle();

        var gradient = clip.Gradient(
            reference["in.x_t"].AsSingle(), reference["in.timesteps"].AsInt64(), reference["in.text_emb"].AsSingle());

        var scale = expected.Max(v => Math.Abs(v));
        Assert.True(scale > 1e-3, $"the reference gradient is too small to test anything: max |grad| {scale}");
        RuntimeAssert.Close(expected, gradient, RelativeTolerance * scale / Math.Max(1.0, scale), "clip.grad grad");
    }

    [Fact]
    public void The_graph_has_the_exported_shape()
    {
        var clip = fixture.Set.ClipGradient!;

        Assert.Equal(1, clip.RowsPerRun);
        Assert.Equal((64, 16, 1000), (clip.ImageSize, clip.EmbeddingWidth, clip.TimestepCount));
        Assert.Equal(3 * 64 * 64, clip.RowLength);
    }

    [Fact]
    public void Several_rows_give_each_row_its_own_gradient()
    {
        var clip = fixture.Set.ClipGradient!;
        var reference = fixture.Reference("clip.grad");
        var x0 = reference["in.x_t"].AsSingle();
        var z0 = reference["in.text_emb"].AsSingle();
        var row = clip.RowLength;
        var x = new float[3 * row];
        var z = new float[3 * clip.EmbeddingWidth];
        for (var b = 0; b < 3; b++)
        {
            for (var e = 0; e < row; e++)
            {
                x[(b * row) + e] = Math.Clamp(x0[e] * (1f - (0.3f * b)), -1f, 1f);
            }

            for (var e = 0; e < clip.EmbeddingWidth; e++)
            {
                z[(b * clip.EmbeddingWidth) + e] = b == 1 ? -z0[e] : z0[e];
            }
        }

        long[] timesteps = [reference["in.timesteps"].AsInt64()[0], 0, 999];

        var together = clip.Gradient(x, timesteps, z);

        for (var b = 0; b < 3; b++)
        {
            var alone = clip.Gradient(
                x.AsSpan(b * row, row), timesteps.AsSpan(b, 1), z.AsSpan(b * clip.EmbeddingWidth, clip.EmbeddingWidth));
            Assert.Equal(alone, together.AsSpan(b * row, row).ToArray());
        }

        Assert.NotEqual(together.AsSpan(0, row).ToArray(), together.AsSpan(row, row).ToArray());
    }

    [Fact]
    public void A_span_of_the_wrong_length_gives_expected_and_actual()
    {
        var clip = fixture.Set.ClipGradient!;

        var error = Assert.Throws<ArgumentException>(
            () => clip.Gradient(new float[3 * 64 * 64], [0, 0], new float[2 * 16]));

        Assert.Equal("x", error.ParamName);
        Assert.StartsWith(
            "expected 24576 values ([2, 3, 64, 64] for batch 2), got 12288", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(
            "textEmbeddings", () => clip.Gradient(new float[3 * 64 * 64], [0], new float[15]));
        Assert.Throws<ArgumentException>(
            "gradient", () => clip.Gradient(new float[3 * 64 * 64], [0], new float[16], new float[3]));
    }

    [Fact]
    public void A_timestep_outside_the_table_or_no_row_is_refused()
    {
        var clip = fixture.Set.ClipGradient!;

        var error = Assert.Throws<ArgumentException>(
            () => clip.Gradient(new float[3 * 64 * 64], [clip.TimestepCount], new float[16]));

        Assert.Equal("timesteps", error.ParamName);
        Assert.StartsWith("timestep 1000 at [0] is outside [0, 1000)", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("timesteps", () => clip.Gradient([], [], []));
    }
}
