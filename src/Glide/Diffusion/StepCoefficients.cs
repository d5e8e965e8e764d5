namespace Glide.Diffusion;

/// <summary>The float32 casts of one spaced step's float64 table values: f32(table[i]) in glide-spec terms.</summary>
/// <remarks>
/// The reference takes each value from its float64 table and casts it to float32 on use (glide_text2im
/// gaussian_diffusion.py <c>_extract_into_tensor</c>; glide-spec §7.3, §11 item 13); every step formula then works
/// in float32 only. Casting once per step here is the same cast.
/// </remarks>
public readonly record struct StepCoefficients
{
    /// <summary>f32(log β'_i): the upper end of the learned log-variance range.</summary>
    public required float LogBeta { get; init; }

    /// <summary>f32(posterior_log_variance_clipped'_i): the lower end of the learned log-variance range.</summary>
    public required float PosteriorLogVarianceClipped { get; init; }

    /// <summary>f32(posterior_mean_coef1'_i), the weight of x0 in the posterior mean.</summary>
    public required float PosteriorMeanCoef1 { get; init; }

    /// <summary>f32(posterior_mean_coef2'_i), the weight of x_t in the posterior mean.</summary>
    public required float PosteriorMeanCoef2 { get; init; }

    /// <summary>f32(√(1/ᾱ'_i)).</summary>
    public required float SqrtRecipAlphasCumprod { get; init; }

    /// <summary>f32(√(1/ᾱ'_i − 1)).</summary>
    public required float SqrtRecipm1AlphasCumprod { get; init; }

    /// <summary>f32(ᾱ'_i).</summary>
    public required float AlphasCumprod { get; init; }

    /// <summary>f32(ᾱ'_{i−1}), 1 at i = 0.</summary>
    public required float AlphasCumprodPrev { get; init; }
}
