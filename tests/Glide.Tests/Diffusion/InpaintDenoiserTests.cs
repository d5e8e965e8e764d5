using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class InpaintDenoiserTests
{
    [Fact]
    public void Replaces_x0_where_the_mask_is_one()
    {
        // The reference test's case: x0 [3.0, −0.5], image [0.25, 0.75], mask [1, 0] → [0.25, −0.5].
        float[] x0 = [3f, -0.5f];

        new InpaintDenoiser([0.25f, 0.75f], [1f, 0f]).Apply(x0);

        Assert.Equal([0.25f, -0.5f], x0);
    }

    [Fact]
    public void Broadcasts_the_mask_over_channels_and_keeps_the_source_exactly()
    {
        // [C=3, H=1, W=3]; the raw source and source·mask give the same result for a 0/1 mask (glide-spec §8.3).
        float[] image = [0.1f, 0.2f, 0.3f, -0.4f, -0.5f, -0.6f, 0.7f, 0.8f, 0.9f];
        float[] mask = [1f, 0f, 1f];
        float[] x0 = [5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f];
        var masked = image.Select((v, e) => v * mask[e % 3]).ToArray();
        var viaMasked = x0.ToArray();

        new InpaintDenoiser(image, mask).Apply(x0);
        new InpaintDenoiser(masked, mask).Apply(viaMasked);

        Assert.Equal([0.1f, 6f, 0.3f, -0.4f, 9f, -0.6f, 0.7f, 12f, 0.9f], x0);
        Assert.Equal(x0, viaMasked);
    }

    [Fact]
    public void A_soft_mask_follows_the_reference_expression()
    {
        const float x0Value = 0.37f;
        const float image = -0.81f;
        const float mask = 0.3f;
        float[] x0 = [x0Value];

        new InpaintDenoiser([image], [mask]).Apply(x0);

        Assert.Equal((x0Value * (1f - mask)) + (image * mask), x0[0]);
    }

    [Fact]
    public void Shapes_must_agree()
    {
        Assert.Throws<ArgumentException>(() => new InpaintDenoiser([1f, 2f, 3f], [1f, 0f]));
        Assert.Throws<ArgumentException>(() => new InpaintDenoiser([1f, 2f], []));
        var denoiser = new InpaintDenoiser([1f, 2f, 3f, 4f], [1f, 0f]);
        Assert.Equal(4, denoiser.ImageLength);
        var error = Assert.Throws<ArgumentException>(() => denoiser.Apply(new float[2]));
        Assert.Contains("predXStart has 2 elements; expected 4", error.Message, StringComparison.Ordinal);
    }
}
