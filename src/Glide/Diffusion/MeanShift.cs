namespace Glide.Diffusion;

/// <summary>
/// A conditioning function's shift of one ancestral step's mean (glide-spec §7.6 <c>condition_mean</c>):
/// mean' = mean + σ²·(s·g), with σ² = exp(log σ²) the step's learned variance, g the gradient at (x_t, mapped t) and
/// s its scale. The default value is no shift: the plain ancestral step.
/// </summary>
/// <remarks>
/// Port of glide_text2im gaussian_diffusion.py <c>condition_mean</c>, via the project's reference
/// <c>glide_export.diffusion.Diffusion.p_sample</c>. <see cref="AncestralSampler"/> applies it between the posterior
/// mean and the noise; <see cref="ConditionedAncestralSampler"/> is its public face.
/// </remarks>
internal readonly ref struct MeanShift
{
    /// <param name="gradient">[C, H, W]: the conditioning function's gradient at x_t, before the scale.</param>
    /// <param name="scale">The gradient scale s, already validated.</param>
    public MeanShift(ReadOnlySpan<float> gradient, float scale)
    {
        Gradient = gradient;
        Scale = scale;
        IsActive = true;
    }

    /// <summary>False for the default value, which leaves the mean as it is.</summary>
    public bool IsActive { get; }

    public ReadOnlySpan<float> Gradient { get; }

    public float Scale { get; }

    /// <summary>mean += σ²·(s·g), element by element in torch's order: g·s, then σ²·(g·s), then mean + that, each
    /// rounded to float32.</summary>
    /// <param name="c">The step's coefficients.</param>
    /// <param name="v">The variance channels of the model output, [C, H, W].</param>
    /// <param name="mean">The posterior mean, [C, H, W], shifted in place; must not overlap the gradient.</param>
    public void Apply(in StepCoefficients c, ReadOnlySpan<float> v, Span<float> mean)
    {
        var gradient = Gradient;
        var scale = Scale;
        for (var e = 0; e < mean.Length; e++)
        {
            var variance = (float)Math.Exp(GaussianStep.LearnedRangeLogVariance(c, v[e]));
            mean[e] += variance * (gradient[e] * scale);
        }
    }
}
