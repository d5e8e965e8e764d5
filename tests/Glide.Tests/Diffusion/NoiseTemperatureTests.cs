using Glide.Diffusion;

namespace Glide.Tests.Diffusion;

public sealed class NoiseTemperatureTests
{
    [Fact]
    public void Multiplies_by_the_float32_temperature_once()
    {
        float[] noise = [1f, -2.5f, 0.123f];
        var x = new float[3];

        NoiseTemperature.Apply(noise, NoiseTemperature.Upsample, x);

        Assert.Equal(noise.Select(v => v * 0.997f), x);
        Assert.Equal((float)0.997, NoiseTemperature.Upsample);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void The_temperature_must_be_positive_and_finite(float temperature)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseTemperature.Apply([1f], temperature, new float[1]));
    }
}
