namespace Glide.Diffusion;

/// <summary>One ancestral (DDPM) step with learned-range variance, on one image (glide-spec §7.3, §7.4).</summary>
/// <remarks>
/// Port of glide_text2im gaussian_diffusion.py <c>p_sample</c> (with <c>p_mean_variance</c>, clip_denoised=True),
/// via the project's reference <c>glide_export.diffusion.Diffusion.p_sample</c>, which the fixtures under
/// <c>tests/fixtures/sampler</c> record step by step. Used by the base model and by both inpainting stages, and,
/// with a <see cref="MeanShift"/> between the mean and the noise, by CLIP guidance
/// (<see cref="ConditionedAncestralSampler"/>).
/// The loop runs i = S−1 down to 0 from x_T; step i needs the noise draw of the (S−i)-th step taken.
/// Each image is stepped on its own spans, so its result never depends on the batch it ran in. No allocation.
/// </remarks>
public sealed class AncestralSampler
{
    public AncestralSampler(DiffusionSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
    }

    public DiffusionSchedule Schedule { get; }

    /// <summary>x_{t−1} from x_t and the model's output at spaced index <paramref name="i"/>.</summary>
    /// <param name="i">Spaced index, S−1 … 0; the model was run at original timestep <c>TimestepMap[i]</c>.</param>
    /// <param name="modelOutput">[2C, H, W]: eps (channels 0…C−1) ‖ variance value v (C…2C−1), after CFG.</param>
    /// <param name="xT">x_t, [C, H, W].</param>
    /// <param name="noise">[C, H, W] standard normal draw; ignored (and may be empty) at i = 0.</param>
    /// <param name="xNext">x_{t−1}, [C, H, W]; may be <paramref name="xT"/> itself for an in-place step.</param>
    /// <param name="predXStart">The clamped x0, [C, H, W]; must not overlap the other spans.</param>
    /// <param name="denoised">Optional x0 rewrite before the clamp (inpainting, <see cref="InpaintDenoiser"/>).</param>
    public void Step(
        int i,
        ReadOnlySpan<float> modelOutput,
        ReadOnlySpan<float> xT,
        ReadOnlySpan<float> noise,
        Span<float> xNext,
        Span<float> predXStart,
        IDenoiser? denoised = null) =>
        Step(i, modelOutput, xT, noise, xNext, predXStart, denoised, default);

    /// <summary>The step above with the mean shifted by <paramref name="shift"/> before the noise is added (§7.6).
    /// </summary>
    /// <remarks>
    /// As in the reference, an active shift applies at every step, i = 0 included (where σ² is not zero, so the
    /// final sample is x0 plus the shift).
    /// </remarks>
    internal void Step(
        int i,
        ReadOnlySpan<float> modelOutput,
        ReadOnlySpan<float> xT,
        ReadOnlySpan<float> noise,
        Span<float> xNext,
        Span<float> predXStart,
        IDenoiser? denoised,
        in MeanShift shift)
    {
        var c = Schedule.Coefficients(i);
        StepArguments.RequireModelOutput(modelOutput, xT, nameof(modelOutput));
        if (shift.IsActive)
        {
            StepArguments.RequireLength(shift.Gradient, xT.Length, "gradient");
        }

        StepArguments.RequireLength(xNext, xT.Length, nameof(xNext));
        StepArguments.RequireLength(predXStart, xT.Length, nameof(predXStart));
        StepArguments.RequireSameOrDisjoint(xNext, nameof(xNext), xT, nameof(xT));
        if (shift.IsActive)
        {
            StepArguments.RequireDisjoint(xNext, nameof(xNext), shift.Gradient, "gradient");
        }

        StepArguments.RequireDisjoint(predXStart, nameof(predXStart), xT, nameof(xT));
        StepArguments.RequireDisjoint(predXStart, nameof(predXStart), xNext, nameof(xNext));
        StepArguments.RequireDisjoint(predXStart, nameof(predXStart), modelOutput, nameof(modelOutput));
        StepArguments.RequireDisjoint(xNext, nameof(xNext), modelOutput, nameof(modelOutput));
        var addNoise = i != 0;
        if (addNoise)
        {
            StepArguments.RequireLength(noise, xT.Length, nameof(noise));
            StepArguments.RequireDisjoint(xNext, nameof(xNext), noise, nameof(noise));
        }

        // 1. Split the output channels: eps ‖ v.
        var eps = modelOutput[..xT.Length]; // [C, H, W]
        var v = modelOutput[xT.Length..]; // [C, H, W]

        // 2. x0 = f32(sqrt_recip)·x_t − f32(sqrt_recipm1)·eps.
        GaussianStep.PredictXStartFromEps(c, xT, eps, predXStart);

        // 3. denoised_fn on x0, then clamp to [−1, 1].
        denoised?.Apply(predXStart);
        GaussianStep.ClampToUnitRange(predXStart);

        // 4. mean = f32(coef1)·x0 + f32(coef2)·x_t. At i = 0, coef1 = 1 and coef2 = 0 exactly, so x_{−1} = x0
        // (plus the shift, if any).
        GaussianStep.PosteriorMean(c, predXStart, xT, xNext);

        // 5. condition_mean, with a shift only: mean + σ²·(s·g) (§7.6).
        if (shift.IsActive)
        {
            shift.Apply(c, v, xNext);
        }

        // 6. x_{t−1} = mean + [i ≠ 0]·exp(0.5·log σ²)·noise, log σ² interpolated by frac = (v + 1)/2.
        if (addNoise)
        {
            for (var e = 0; e < xNext.Length; e++)
            {
                xNext[e] += GaussianStep.LearnedRangeStd(c, v[e]) * noise[e];
            }
        }
    }
}
