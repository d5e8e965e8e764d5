namespace Glide.Diffusion;

/// <summary>Quantizes the base result to 8-bit levels for the upsampler's low_res input (glide-spec §8.2).</summary>
/// <remarks>
/// Port of the notebooks' <c>((samples + 1) * 127.5).round() / 127.5 - 1</c>, via the project's reference
/// <c>glide_export.diffusion.quantize_low_res</c>: float32 throughout, torch.round rounding half to even, no clamp
/// (the base result already lies in [−1, 1]). The result takes exactly the float32 values k/127.5 − 1.
/// </remarks>
public static class LowResQuantizer
{
    /// <param name="x">[C, H, W] (or any shape) in [−1, 1].</param>
    /// <param name="destination">Same length; may be <paramref name="x"/> itself.</param>
    public static void Quantize(ReadOnlySpan<float> x, Span<float> destination)
    {
        StepArguments.RequireLength(destination, x.Length, nameof(destination));
        StepArguments.RequireSameOrDisjoint(destination, nameof(destination), x, nameof(x));
        for (var e = 0; e < x.Length; e++)
        {
            // MathF.Round rounds half to even, like torch.round; 127.5 is exact in float32.
            destination[e] = (MathF.Round((x[e] + 1f) * 127.5f) / 127.5f) - 1f;
        }
    }
}
