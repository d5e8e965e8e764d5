namespace Glide.Diffusion;

/// <summary>
/// One ancestral step with a conditioning function shifting the mean (glide-spec §7.6 <c>condition_mean</c>), on
/// one image: mean' = mean + σ²·(s·g), with σ² = exp(log σ²) the step's learned variance, g the conditioning
/// gradient at (x_t, mapped t) and s its scale; then x_{t−1} = mean' + [i ≠ 0]·σ·noise (§7.4). CLIP guidance
/// (§8.4) uses it with g = ∂(100·z_i·z_t)/∂x_t from <see cref="Models.ClipGradientGraph"/> and s = 3.0.
/// </summary>
/// <remarks>
/// Port of glide_text2im gaussian_diffusion.py <c>p_sample</c> with <c>cond_fn</c> (<c>condition_mean</c>), via the
/// project's reference <c>glide_export.diffusion.Diffusion.p_sample</c>. The step is <see cref="AncestralSampler"/>'s
/// with a <see cref="MeanShift"/> between the posterior mean and the noise, so both share one implementation. As in
/// the reference, the shift applies at every step, i = 0 included (where σ² is not zero, so the final sample is x0
/// plus the shift and may leave [−1, 1] by that much). The arithmetic follows torch's order: g·s, then σ²·(g·s), then
/// mean + that, then + σ·noise, each rounded to float32. No allocation.
/// </remarks>
public sealed class ConditionedAncestralSampler
{
    private readonly AncestralSampler _sampler;

    public ConditionedAncestralSampler(DiffusionSchedule schedule)
    {
        _sampler = new AncestralSampler(schedule);
    }

    public DiffusionSchedule Schedule => _sampler.Schedule;

    /// <summary>x_{t−1} from x_t, the model's output and the conditioning gradient at spaced index <paramref name="i"/>.
    /// </summary>
    /// <param name="i">Spaced index, S−1 … 0; the model and the gradient were evaluated at <c>TimestepMap[i]</c>.</param>
    /// <param name="modelOutput">[2C, H, W]: eps ‖ variance value v (no classifier-free guidance in CLIP mode).</param>
    /// <param name="xT">x_t, [C, H, W].</param>
    /// <param name="gradient">[C, H, W]: the conditioning function's gradient at x_t, before the scale.</param>
    /// <param name="scale">The gradient scale s (the CLIP-guided notebook's 3.0).</param>
    /// <param name="noise">[C, H, W] standard normal draw; ignored (and may be empty) at i = 0.</param>
    /// <param name="xNext">x_{t−1}, [C, H, W]; may be <paramref name="xT"/> itself for an in-place step.</param>
    /// <param name="predXStart">The clamped x0, [C, H, W]; must not overlap the other spans.</param>
    public void Step(
        int i,
        ReadOnlySpan<float> modelOutput,
        ReadOnlySpan<float> xT,
        ReadOnlySpan<float> gradient,
        float scale,
        ReadOnlySpan<float> noise,
        Span<float> xNext,
        Span<float> predXStart)
    {
        ValidateScale(scale);
        _sampler.Step(i, modelOutput, xT, noise, xNext, predXStart, denoised: null, new MeanShift(gradient, scale));
    }

    /// <summary>Throws unless the gradient scale is a finite number.</summary>
    public static void ValidateScale(float scale)
    {
        if (!float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(
                nameof(scale), scale, $"gradient scale must be a finite number (3.0 in the CLIP-guided notebook), got {scale}");
        }
    }
}
