namespace Glide.Diffusion;

/// <summary>Argument checks of the step kernels: lengths and overlaps, messages with expected vs actual.</summary>
internal static class StepArguments
{
    public static void RequireLength(ReadOnlySpan<float> span, int expected, string name)
    {
        if (span.Length != expected)
        {
            throw new ArgumentException($"{name} has {span.Length} elements; expected {expected}", name);
        }
    }

    /// <summary>model output [2C, H, W] (eps ‖ v) for x [C, H, W].</summary>
    public static void RequireModelOutput(ReadOnlySpan<float> modelOutput, ReadOnlySpan<float> x, string name)
    {
        if (x.Length == 0)
        {
            throw new ArgumentException("x is empty; expected one image [C, H, W]", nameof(x));
        }

        if (modelOutput.Length != 2 * x.Length)
        {
            throw new ArgumentException(
                $"{name} has {modelOutput.Length} elements; expected 2 × {x.Length} = {2 * x.Length} " +
                "(eps ‖ variance channels [2C, H, W] for x [C, H, W])",
                name);
        }
    }

    /// <summary>Throws when the two spans share any memory.</summary>
    public static void RequireDisjoint(ReadOnlySpan<float> a, string aName, ReadOnlySpan<float> b, string bName)
    {
        if (a.Overlaps(b))
        {
            throw new ArgumentException($"{aName} must not overlap {bName}", aName);
        }
    }

    /// <summary>Throws when the spans overlap other than as the very same span (in-place use is fine).</summary>
    public static void RequireSameOrDisjoint(ReadOnlySpan<float> a, string aName, ReadOnlySpan<float> b, string bName)
    {
        if (a.Overlaps(b, out var offset) && (offset != 0 || a.Length != b.Length))
        {
            throw new ArgumentException($"{aName} must be {bName} itself or not overlap it", aName);
        }
    }
}
