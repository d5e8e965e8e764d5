namespace Glide.Diffusion;

/// <summary>Classifier-free guidance of one image's model outputs (glide-spec §8.1, §11 item 10).</summary>
/// <remarks>
/// Port of the text2im notebook's <c>model_fn</c>, via the project's reference
/// <c>glide_export.diffusion.cfg_model_fn</c>: guided eps = uncond + s·(cond − uncond) on the eps channels only,
/// evaluated as torch does (s cast to float32, one rounding per operation); the variance channels are the
/// conditional row's own. The model runs on 2B rows (B conditional, then B unconditional) but the sampler needs only
/// the B guided rows: image b combines rows b and B + b.
/// </remarks>
public static class ClassifierFreeGuidance
{
    /// <summary>Guided model output of one image.</summary>
    /// <param name="cond">The conditional row's output, [2C, H, W]: eps ‖ v.</param>
    /// <param name="uncond">The unconditional row's output, [2C, H, W].</param>
    /// <param name="scale">The guidance scale s (3.0 for text2im, 5.0 for inpainting).</param>
    /// <param name="destination">[2C, H, W]: guided eps ‖ the conditional v. May be <paramref name="cond"/> or
    /// <paramref name="uncond"/> itself.</param>
    public static void Combine(
        ReadOnlySpan<float> cond, ReadOnlySpan<float> uncond, float scale, Span<float> destination)
    {
        ValidateScale(scale);
        if (cond.IsEmpty || cond.Length % 2 != 0)
        {
            throw new ArgumentException(
                $"cond has {cond.Length} elements; expected a model output [2C, H, W] (eps ‖ variance)", nameof(cond));
        }

        StepArguments.RequireLength(uncond, cond.Length, nameof(uncond));
        StepArguments.RequireLength(destination, cond.Length, nameof(destination));
        StepArguments.RequireSameOrDisjoint(destination, nameof(destination), cond, nameof(cond));
        StepArguments.RequireSameOrDisjoint(destination, nameof(destination), uncond, nameof(uncond));

        var half = cond.Length / 2;
        for (var e = 0; e < half; e++)
        {
            var u = uncond[e];
            destination[e] = u + (scale * (cond[e] - u));
        }

        cond[half..].CopyTo(destination[half..]);
    }

    /// <summary>Throws unless the guidance scale is a finite number.</summary>
    public static void ValidateScale(float scale)
    {
        if (!float.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(
                nameof(scale),
                scale,
                $"guidance scale must be a finite number (3.0 in the text2im notebook), got {scale}");
        }
    }
}
