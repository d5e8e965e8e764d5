using Glide.Diffusion;

namespace Glide.Pipeline;

/// <summary>
/// The checks <see cref="GenerationRequest"/> and <see cref="InpaintRequest"/> share, each throwing
/// <see cref="ArgumentException"/> that names the field.
/// </summary>
internal static class RequestChecks
{
    /// <summary>The prompt is present and the image count is 1 to <see cref="GenerationRequest.MaxCount"/>.</summary>
    public static void PromptAndCount(string prompt, int count)
    {
        ArgumentNullException.ThrowIfNull(prompt, "Prompt");
        if (count is < 1 or > GenerationRequest.MaxCount)
        {
            throw new ArgumentException(
                $"count must be between 1 and {GenerationRequest.MaxCount}, got {count}", "Count");
        }
    }

    public static void GuidanceScale(float scale)
    {
        if (!float.IsFinite(scale))
        {
            throw new ArgumentException($"guidance scale must be a finite number, got {scale}", "GuidanceScale");
        }
    }

    /// <summary>The upsampler's noise temperature and both stages' step specs (glide-spec §7.4).</summary>
    public static void Sampling(float upsampleTemperature, string baseSteps, string upsampleSteps)
    {
        if (!float.IsFinite(upsampleTemperature) || upsampleTemperature <= 0f)
        {
            throw new ArgumentException(
                $"upsample temperature must be a positive number, got {upsampleTemperature}", "UpsampleTemperature");
        }

        Steps(baseSteps, "BaseSteps");
        Steps(upsampleSteps, "UpsampleSteps");
    }

    private static void Steps(string spec, string name)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(spec, name);
            Respacing.Parse(spec);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{name}: {e.Message}", name, e);
        }
    }
}
