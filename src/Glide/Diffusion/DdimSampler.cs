namespace Glide.Diffusion;

/// <summary>One DDIM step, on one image (glide-spec §7.5).</summary>
/// <remarks>
/// Port of glide_text2im gaussian_diffusion.py <c>ddim_sample</c> (with <c>p_mean_variance</c>, clip_denoised=True),
/// via the project's reference <c>glide_export.diffusion.Diffusion.ddim_sample</c>, which the fixtures under
/// <c>tests/fixtures/sampler</c> record step by step. The text2im upsampler runs it with eta = 0 ("fast27"), where
/// no per-step noise is needed. σ and the other scalars are computed from float32 casts of ᾱ and ᾱ_prev, as torch
/// does on 0-dim float32 tensors. Each image is stepped on its own spans; no allocation.
/// </remarks>
public sealed class DdimSampler
{
    public DdimSampler(DiffusionSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
    }

    public DiffusionSchedule Schedule { get; }

    /// <summary>Whether steps with this eta read a noise draw (at every i ≠ 0): only when eta ≠ 0.</summary>
    public static bool NeedsStepNoise(float eta)
    {
        ValidateEta(eta);
        return eta != 0f;
    }

    /// <summary>Throws unless eta is a finite number ≥ 0.</summary>
    public static void ValidateEta(float eta)
    {
        if (!float.IsFinite(eta) || eta < 0f)
        {
            throw new ArgumentOutOfRangeException(
                nameof(eta), eta, $"DDIM eta must be a finite number ≥ 0 (0 is deterministic DDIM), got {eta}");
        }
    }

    /// <summary>x_{t−1} from x_t and the model's output at spaced index <paramref name="i"/>.</summary>
    /// <param name="i">Spaced index, S−1 … 0; the model was run at original timestep <c>TimestepMap[i]</c>.</param>
    /// <param name="modelOutput">[2C, H, W]: eps ‖ variance value v; v is not used by DDIM.</param>
    /// <param name="x">x_t, [C, H, W].</param>
    /// <param name="noise">[C, H, W] standard normal draw; ignored (and may be empty) when eta = 0 or i = 0.</param>
    /// <param name="eta">0 for deterministic DDIM; 1 gives DDPM-like variance.</param>
    /// <param name="xNext">x_{t−1}, [C, H, W]; may be <paramref name="x"/> itself for an in-place step.</param>
    /// <param name="predXStart">The clamped x0, [C, H, W]; must not overlap the other spans.</param>
    /// <param name="denoised">Optional x0 rewrite before the clamp.</param>
    public void Step(
        int i,
        ReadOnlySpan<float> modelOutput,
        ReadOnlySpan<float> x,
        ReadOnlySpan<float> noise,
        float eta,
        Span<float> xNext,
        Span<float> predXStart,
        IDenoiser? denoised = null)
    {
        var c = Schedule.Coefficients(i);
        ValidateEta(eta);
        StepArguments.RequireModelOutput(modelOutput, x, nameof(modelOutput));
        StepArguments.RequireLength(xNext, x.Length, nameof(xNext));
        StepArguments.RequireLength(predXStart, x.Length, nameof(predXStart));
        StepArguments.RequireSameOrDisjoint(xNext, nameof(xNext), x, nameof(x));
        StepArguments.RequireDisjoint(predXStart, nameof(predXStart), x, nameof(x));
        StepArguments.RequireDisjoint(predXStart, nameof(predXStart), xNext, nameof(xNext));
        StepArguments.RequireDisjoint(predXStart, nameof(predXStart), modelOutput, nameof(modelOutput));
        StepArguments.RequireDisjoint(xNext, nameof(xNext), modelOutput, nameof(modelOutput));
        var addNoise = i != 0 && eta != 0f;
        if (addNoise)
        {
            StepArguments.RequireLength(noise, x.Length, nameof(noise));
            StepArguments.RequireDisjoint(xNext, nameof(xNext), noise, nameof(noise));
        }

        // 1. x0 = f32(sqrt_recip)·x_t − f32(sqrt_recipm1)·eps, eps = channels 0…C−1; denoised_fn; clamp to [−1, 1].
        GaussianStep.PredictXStartFromEps(c, x, modelOutput[..x.Length], predXStart);
        denoised?.Apply(predXStart);
        GaussianStep.ClampToUnitRange(predXStart);

        // 2. σ = eta·√((1 − ᾱ_prev)/(1 − ᾱ))·√(1 − ᾱ/ᾱ_prev), in float32. At i = 0, ᾱ_prev = 1 and σ = 0.
        var alphaBar = c.AlphasCumprod;
        var alphaBarPrev = c.AlphasCumprodPrev;
        var sigma = eta * MathF.Sqrt((1f - alphaBarPrev) / (1f - alphaBar)) *
            MathF.Sqrt(1f - (alphaBar / alphaBarPrev));
        var sqrtAlphaBarPrev = MathF.Sqrt(alphaBarPrev);
        var directionScale = MathF.Sqrt(1f - alphaBarPrev - (sigma * sigma));

        for (var e = 0; e < x.Length; e++)
        {
            // 3. eps' re-derived from the clamped x0.
            var epsPrime = GaussianStep.EpsFromXStart(c, x[e], predXStart[e]);

            // 4. x_{t−1} = x0·√ᾱ_prev + √(1 − ᾱ_prev − σ²)·eps' + [i ≠ 0]·σ·noise.
            var mean = (predXStart[e] * sqrtAlphaBarPrev) + (directionScale * epsPrime);
            xNext[e] = addNoise ? mean + (sigma * noise[e]) : mean;
        }
    }
}
