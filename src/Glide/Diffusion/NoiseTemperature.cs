namespace Glide.Diffusion;

/// <summary>Scales the initial noise by a temperature; later draws are not scaled (glide-spec §8.2, §11.8).</summary>
/// <remarks>
/// The reference multiplies the float32 noise by a Python float, which torch casts to float32 first:
/// x_T = noise·f32(temperature), one rounding.
/// </remarks>
public static class NoiseTemperature
{
    /// <summary>The upsamplers' temperature in the notebooks.</summary>
    public const float Upsample = 0.997f;

    /// <param name="noise">Draw 0 of an image's noise, [C, H, W].</param>
    /// <param name="temperature">A finite number &gt; 0; 1 leaves the noise unchanged.</param>
    /// <param name="destination">x_T, same length; may be <paramref name="noise"/> itself.</param>
    public static void Apply(ReadOnlySpan<float> noise, float temperature, Span<float> destination)
    {
        if (!float.IsFinite(temperature) || temperature <= 0f)
        {
            throw new ArgumentOutOfRangeException(
                nameof(temperature), temperature, $"noise temperature must be a finite number > 0, got {temperature}");
        }

        StepArguments.RequireLength(destination, noise.Length, nameof(destination));
        StepArguments.RequireSameOrDisjoint(destination, nameof(destination), noise, nameof(noise));
        for (var e = 0; e < noise.Length; e++)
        {
            destination[e] = noise[e] * temperature;
        }
    }
}
