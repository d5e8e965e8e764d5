using System.Runtime.CompilerServices;

namespace Glide.Diffusion;

/// <summary>
/// The element-wise formulas one model evaluation turns into (glide-spec §7.3), shared by the samplers.
/// </summary>
/// <remarks>
/// Port of glide_text2im gaussian_diffusion.py <c>p_mean_variance</c> (learned-range variance, clip_denoised=True),
/// <c>_predict_xstart_from_eps</c>, <c>_predict_eps_from_xstart</c> and <c>q_posterior_mean_variance</c>, via the
/// project's reference <c>glide_export.diffusion.Diffusion</c>. All arithmetic is float32 with the per-step table
/// casts of <see cref="StepCoefficients"/>, one rounding per torch operation and in torch's order (C# does not
/// contract a·b + c into a fused multiply-add), so each result equals torch's bit for bit; the one exception is
/// <c>exp</c>, noted at <see cref="LearnedRangeStd"/>.
/// </remarks>
public static class GaussianStep
{
    /// <summary>x0 = f32(√(1/ᾱ'_i))·x_t − f32(√(1/ᾱ'_i − 1))·eps.</summary>
    /// <param name="c">The step's coefficients.</param>
    /// <param name="x">x_t, e.g. [3, H, W].</param>
    /// <param name="eps">The predicted noise, same shape.</param>
    /// <param name="destination">x0, same shape; may be <paramref name="x"/> or <paramref name="eps"/> itself.</param>
    public static void PredictXStartFromEps(
        in StepCoefficients c, ReadOnlySpan<float> x, ReadOnlySpan<float> eps, Span<float> destination)
    {
        StepArguments.RequireLength(eps, x.Length, nameof(eps));
        StepArguments.RequireLength(destination, x.Length, nameof(destination));
        var sqrtRecip = c.SqrtRecipAlphasCumprod;
        var sqrtRecipm1 = c.SqrtRecipm1AlphasCumprod;
        for (var e = 0; e < x.Length; e++)
        {
            destination[e] = (sqrtRecip * x[e]) - (sqrtRecipm1 * eps[e]);
        }
    }

    /// <summary>eps = (f32(√(1/ᾱ'_i))·x_t − x0)/f32(√(1/ᾱ'_i − 1)) (glide-spec §7.5 step 2).</summary>
    public static void PredictEpsFromXStart(
        in StepCoefficients c, ReadOnlySpan<float> x, ReadOnlySpan<float> predXStart, Span<float> destination)
    {
        StepArguments.RequireLength(predXStart, x.Length, nameof(predXStart));
        StepArguments.RequireLength(destination, x.Length, nameof(destination));
        for (var e = 0; e < x.Length; e++)
        {
            destination[e] = EpsFromXStart(c, x[e], predXStart[e]);
        }
    }

    /// <summary>Clamps x0 to [−1, 1] in place (clip_denoised=True); NaN stays NaN, as with torch.clamp.</summary>
    public static void ClampToUnitRange(Span<float> predXStart)
    {
        for (var e = 0; e < predXStart.Length; e++)
        {
            predXStart[e] = Math.Clamp(predXStart[e], -1f, 1f);
        }
    }

    /// <summary>mean = f32(coef1'_i)·x0 + f32(coef2'_i)·x_t (glide-spec §7.3 step 6).</summary>
    /// <param name="c">The step's coefficients.</param>
    /// <param name="predXStart">The clamped x0.</param>
    /// <param name="x">x_t.</param>
    /// <param name="destination">The mean; may be <paramref name="x"/> itself (each element is read before it is
    /// written).</param>
    public static void PosteriorMean(
        in StepCoefficients c, ReadOnlySpan<float> predXStart, ReadOnlySpan<float> x, Span<float> destination)
    {
        StepArguments.RequireLength(predXStart, x.Length, nameof(predXStart));
        StepArguments.RequireLength(destination, x.Length, nameof(destination));
        var coef1 = c.PosteriorMeanCoef1;
        var coef2 = c.PosteriorMeanCoef2;
        for (var e = 0; e < x.Length; e++)
        {
            destination[e] = (coef1 * predXStart[e]) + (coef2 * x[e]);
        }
    }

    /// <summary>
    /// log σ² = frac·f32(log β'_i) + (1 − frac)·f32(posterior_log_variance_clipped'_i), frac = (v + 1)/2
    /// (glide-spec §7.3 step 3, §11 item 6). v is not clamped.
    /// </summary>
    public static void LearnedRangeLogVariance(in StepCoefficients c, ReadOnlySpan<float> v, Span<float> destination)
    {
        StepArguments.RequireLength(destination, v.Length, nameof(destination));
        for (var e = 0; e < v.Length; e++)
        {
            destination[e] = LearnedRangeLogVariance(c, v[e]);
        }
    }

    /// <summary>The learned log variance of one element (see the span overload).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LearnedRangeLogVariance(in StepCoefficients c, float v)
    {
        var frac = (v + 1f) / 2f;
        return (frac * c.LogBeta) + ((1f - frac) * c.PosteriorLogVarianceClipped);
    }

    /// <summary>σ = exp(0.5·log σ²) of one element: the scale of the ancestral step's noise (§7.4).</summary>
    /// <remarks>
    /// exp is computed in float64 and rounded once to float32, which gives the correctly rounded float32 exp on every
    /// platform. torch's CPU kernel (SLEEF expf, 1-ulp accuracy) differs from it by one ulp for a few percent of
    /// inputs; nothing else in a step differs from torch.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LearnedRangeStd(in StepCoefficients c, float v) =>
        (float)Math.Exp(0.5f * LearnedRangeLogVariance(c, v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float EpsFromXStart(in StepCoefficients c, float x, float predXStart) =>
        ((c.SqrtRecipAlphasCumprod * x) - predXStart) / c.SqrtRecipm1AlphasCumprod;
}
