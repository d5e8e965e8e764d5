using Glide.Noise;

namespace Glide.Tests.Noise;

public sealed class PhiloxNoiseSourceTests
{
    // Values of the construction documented on PhiloxNoiseSource, computed by an independent numpy transcription of
    // that description (Philox in Python integers, Box–Muller with numpy float64, then float32).
    [Theory]
    [InlineData(1234L, 0, 0u, new[] { 1.2291553f, -1.6164905f, 0.46462113f, -1.5605406f, 0.7433671f, 0.6330828f })]
    [InlineData(-5L, 3, 1u, new[] { -0.899882f, 0.29208022f, -1.2854718f, 1.2408862f, 1.652908f, -0.27259997f })]
    [InlineData(1099511627783L, 25, 0u, new[] { 0.7546604f, -0.36306447f, 0.5880473f, 1.7023675f, 0.66256714f })]
    public void Reproduces_the_documented_construction(long seed, int draw, uint stream, float[] expected)
    {
        var values = new float[expected.Length];

        new PhiloxNoiseSource([seed], stream).Fill(0, draw, values);

        Assert.Equal(expected, values);
    }

    [Fact]
    public void An_image_depends_only_on_its_seed_not_on_the_batch()
    {
        var alone = new float[3 * 8 * 8];
        var inBatch = new float[3 * 8 * 8];

        new PhiloxNoiseSource([42L]).Fill(0, 5, alone);
        new PhiloxNoiseSource([7L, 9L, 42L, 11L]).Fill(2, 5, inBatch);

        Assert.Equal(alone, inBatch);
    }

    [Fact]
    public void Draws_seeds_and_streams_give_different_noise()
    {
        var source = new PhiloxNoiseSource([1L, 2L]);
        var a = Draw(source, 0, 0);

        Assert.Equal(a, Draw(source, 0, 0));
        Assert.NotEqual(a, Draw(source, 0, 1));
        Assert.NotEqual(a, Draw(source, 1, 0));
        Assert.NotEqual(a, Draw(new PhiloxNoiseSource([1L], stream: 1), 0, 0));
        Assert.Equal(1u, new PhiloxNoiseSource([1L], stream: 1).Stream);
        Assert.Equal(2L, source.SeedOf(1));
    }

    [Fact]
    public void An_element_does_not_depend_on_the_destination_length()
    {
        var source = new PhiloxNoiseSource([3L]);
        var shortFill = new float[7];
        var longFill = new float[100];

        source.Fill(0, 2, shortFill);
        source.Fill(0, 2, longFill);

        Assert.Equal(longFill[..7], shortFill);
    }

    [Fact]
    public void Values_are_standard_normal()
    {
        // 100,000 values: the standard error of the mean is 0.0032 and of the standard deviation 0.0022.
        var values = new float[100_000];
        new PhiloxNoiseSource([2024L]).Fill(0, 1, values);

        var mean = values.Average(v => (double)v);
        var std = Math.Sqrt(values.Average(v => ((double)v - mean) * ((double)v - mean)));
        var beyond3 = values.Count(v => Math.Abs(v) > 3) / (double)values.Length;

        Assert.InRange(mean, -0.015, 0.015);
        Assert.InRange(std, 0.99, 1.01);
        Assert.InRange(beyond3, 0.0020, 0.0034); // P(|z| > 3) = 0.0027
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PhiloxNoiseSource([]));
        var source = new PhiloxNoiseSource([1L, 2L]);
        Assert.Equal(2, source.ImageCount);
        var image = Assert.Throws<ArgumentOutOfRangeException>(() => source.Fill(2, 0, new float[4]));
        Assert.Contains("image 2 out of range [0, 1]", image.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Fill(0, -1, new float[4]));
    }

    private static float[] Draw(PhiloxNoiseSource source, int image, int draw)
    {
        var values = new float[48];
        source.Fill(image, draw, values);
        return values;
    }
}
