using Glide.Noise;

namespace Glide.Tests.Noise;

public sealed class SelectedNoiseSourceTests
{
    [Fact]
    public void Image_k_is_the_source_image_at_index_k()
    {
        var source = new PhiloxNoiseSource([10, 11, 12, 13]);
        var selected = new SelectedNoiseSource(source, [2, 0]);
        var expected = new float[12];
        var actual = new float[12];

        Assert.Equal(2, selected.ImageCount);
        foreach (var (image, original) in new[] { (0, 2), (1, 0) })
        {
            foreach (var draw in new[] { 0, 3 })
            {
                source.Fill(original, draw, expected);
                selected.Fill(image, draw, actual);
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void An_index_outside_the_source_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(
            () => new SelectedNoiseSource(new PhiloxNoiseSource([1, 2]), [0, 2]));

        Assert.Equal("indices", error.ParamName);
        Assert.StartsWith("image 2 is outside the 2 images of the noise source", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_outside_the_selection_is_refused()
    {
        var selected = new SelectedNoiseSource(new PhiloxNoiseSource([1, 2, 3]), [1]);

        Assert.Throws<ArgumentOutOfRangeException>("image", () => selected.Fill(1, 0, new float[4]));
    }

    [Fact]
    public void No_index_is_refused()
    {
        Assert.Throws<ArgumentException>("indices", () => new SelectedNoiseSource(new PhiloxNoiseSource([1]), []));
    }
}
