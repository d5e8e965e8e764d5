namespace Glide.Diffusion;

/// <summary>The named float64 beta schedules of GLIDE (glide-spec §7.1).</summary>
/// <remarks>
/// Port of glide_text2im gaussian_diffusion.py <c>get_named_beta_schedule</c> and <c>betas_for_alpha_bar</c>, via the
/// project's reference <c>glide_export.diffusion.get_named_beta_schedule</c>; the operation order follows that
/// reference so the tables agree with <c>tests/fixtures/vectors/schedules.json</c> to float64 rounding.
/// </remarks>
public static class BetaSchedule
{
    /// <summary>The squared-cosine schedule of the base models.</summary>
    public const string SquaredCosCapV2 = "squaredcos_cap_v2";

    /// <summary>The linear schedule of the upsamplers.</summary>
    public const string Linear = "linear";

    private const double CosineOffset = 0.008;
    private const double CosineMaxBeta = 0.999;
    private const double LinearBetaStart = 1e-4;
    private const double LinearBetaEnd = 0.02;

    /// <summary>The float64 betas of <paramref name="name"/> over <paramref name="numTimesteps"/> steps.</summary>
    /// <exception cref="ArgumentException">An unknown name or a step count below 1.</exception>
    public static double[] Create(string name, int numTimesteps = 1000)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (numTimesteps < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(numTimesteps), numTimesteps, $"numTimesteps must be a positive integer, got {numTimesteps}");
        }

        return name switch
        {
            SquaredCosCapV2 => SquaredCosine(numTimesteps),
            Linear => LinearBetas(numTimesteps),
            _ => throw new ArgumentException(
                $"unknown beta schedule '{name}'; expected '{SquaredCosCapV2}' or '{Linear}'", nameof(name)),
        };
    }

    // β_i = min(1 − ᾱ((i+1)/T)/ᾱ(i/T), 0.999).
    private static double[] SquaredCosine(int steps)
    {
        var betas = new double[steps];
        for (var i = 0; i < steps; i++)
        {
            var t1 = (double)i / steps;
            var t2 = (double)(i + 1) / steps;
            betas[i] = Math.Min(1.0 - (CosineAlphaBar(t2) / CosineAlphaBar(t1)), CosineMaxBeta);
        }

        return betas;
    }

    // ᾱ(s) = cos²(((s + 0.008)/1.008)·π/2), evaluated left to right as the reference does.
    private static double CosineAlphaBar(double s)
    {
        var c = Math.Cos((s + CosineOffset) / (1.0 + CosineOffset) * Math.PI / 2);
        return c * c;
    }

    // numpy.linspace(1e-4·s, 0.02·s, T) with s = 1000/T: y_i = i·step + start, the last entry set to stop exactly.
    private static double[] LinearBetas(int steps)
    {
        var scale = 1000.0 / steps;
        var start = scale * LinearBetaStart;
        var stop = scale * LinearBetaEnd;
        var betas = new double[steps];
        if (steps == 1)
        {
            betas[0] = start;
            return betas;
        }

        var step = (stop - start) / (steps - 1);
        for (var i = 0; i < steps; i++)
        {
            betas[i] = (i * step) + start;
        }

        betas[^1] = stop;
        return betas;
    }
}
