using Glide.Noise;
using Glide.Tensors;
using Glide.Testing;

namespace Glide.Tests.Noise;

public sealed class NpyNoiseSourceTests : IDisposable
{
    private const int ImageLength64 = 3 * 64 * 64;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Base25 => RepoRoot.Combine("tests", "fixtures", "trajectories", "base-25.noise.npy");

    private static string Upsample =>
        RepoRoot.Combine("tests", "fixtures", "trajectories", "upsample-fast27.noise.npy");

    [Fact]
    public void Reads_every_draw_of_the_float16_reference_noise()
    {
        var source = new NpyNoiseSource(Base25);
        var raw = NpyReader.Read(Base25).AsSingle();

        Assert.Equal("(26, 1, 3, 64, 64)", source.FormatShape());
        Assert.Equal(26, source.DrawCount);
        Assert.Equal(1, source.ImageCount);
        Assert.Equal(ImageLength64, source.ImageLength);
        var draw = new float[ImageLength64];
        foreach (var d in new[] { 0, 1, 25 })
        {
            source.Fill(0, d, draw);
            Assert.Equal(raw.AsSpan(d * ImageLength64, ImageLength64).ToArray(), draw);
        }

        Assert.All(draw, v => Assert.Equal(v, (float)(Half)v)); // float16 values, widened exactly
        source.EnsureFits(25, 3, 64, 64, stepDrawsNeeded: true);
    }

    [Fact]
    public void An_x_t_only_file_serves_draw_0_and_refuses_step_draws_naming_the_file()
    {
        var source = new NpyNoiseSource(Upsample);
        var x = new float[3 * 256 * 256];

        source.Fill(0, 0, x);
        var error = Assert.Throws<InvalidOperationException>(() => source.Fill(0, 1, x));

        Assert.Equal(1, source.DrawCount);
        Assert.Equal(NpyReader.Read(Upsample).AsSingle(), x);
        Assert.Contains(Upsample, error.Message, StringComparison.Ordinal);
        Assert.Contains("holds x_T only", error.Message, StringComparison.Ordinal);
        source.EnsureFits(27, 3, 256, 256, stepDrawsNeeded: false);
        Assert.Throws<InvalidDataException>(() => source.EnsureFits(27, 3, 256, 256, stepDrawsNeeded: true));
    }

    [Fact]
    public void Images_and_draws_are_addressed_in_the_reference_layout()
    {
        // (S+1 = 3, N = 2, C = 1, H = 1, W = 2): value = 10·draw + image + 0.5·pixel.
        var data = new float[3 * 2 * 2];
        for (var d = 0; d < 3; d++)
        {
            for (var n = 0; n < 2; n++)
            {
                data[(d * 4) + (n * 2)] = (10 * d) + n;
                data[(d * 4) + (n * 2) + 1] = (10 * d) + n + 0.5f;
            }
        }

        var path = _temp.Combine("noise.npy");
        NpyWriter.Write(path, NpyArray.FromSingle(data, 3, 2, 1, 1, 2));
        var source = new NpyNoiseSource(path);
        var values = new float[2];

        source.Fill(1, 2, values);

        Assert.Equal([21f, 21.5f], values);
        Assert.Equal(2, source.ImageCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Fill(0, 3, values));
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Fill(2, 0, values));
    }

    [Fact]
    public void Shape_mismatches_say_expected_and_actual()
    {
        var source = new NpyNoiseSource(Base25);

        var length = Assert.Throws<ArgumentException>(() => source.Fill(0, 0, new float[10]));
        Assert.Contains("destination has 10 elements", length.Message, StringComparison.Ordinal);
        Assert.Contains("(3, 64, 64) = 12288", length.Message, StringComparison.Ordinal);

        var steps = Assert.Throws<InvalidDataException>(() => source.EnsureFits(100, 3, 64, 64, stepDrawsNeeded: true));
        Assert.Contains("(26, 1, 3, 64, 64)", steps.Message, StringComparison.Ordinal);
        Assert.Contains("a 100-step run needs 101", steps.Message, StringComparison.Ordinal);

        var size = Assert.Throws<InvalidDataException>(() => source.EnsureFits(25, 3, 256, 256, stepDrawsNeeded: true));
        Assert.Contains("images of this run are (3, 256, 256)", size.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_float_noise_of_rank_5_is_refused()
    {
        var rank2 = _temp.Combine("rank2.npy");
        NpyWriter.Write(rank2, NpyArray.FromSingle(new float[6], 2, 3));
        var doubles = _temp.Combine("f8.npy");
        NpyWriter.Write(doubles, NpyArray.FromDouble(new double[2], 1, 1, 1, 1, 2));

        var rank = Assert.Throws<InvalidDataException>(() => new NpyNoiseSource(rank2));
        var dtype = Assert.Throws<InvalidDataException>(() => new NpyNoiseSource(doubles));

        Assert.Contains("(S+1, N, C, H, W)", rank.Message, StringComparison.Ordinal);
        Assert.Contains("got (2, 3)", rank.Message, StringComparison.Ordinal);
        Assert.Contains("float16 or float32", dtype.Message, StringComparison.Ordinal);
    }
}
