using System.Globalization;

namespace Glide.Diffusion;

/// <summary>Respacing strings: which original timesteps a shortened sampler keeps (glide-spec §7.2).</summary>
/// <remarks>
/// Port of glide_text2im respace.py <c>space_timesteps</c>, via the project's reference
/// <c>glide_export.diffusion.space_timesteps</c>, whose error cases this mirrors. Forms:
/// <list type="bullet">
/// <item><c>"N"</c> and comma lists <c>"a,b,c"</c>: equal sections, each sampled with a float64-accumulated stride
/// and round-half-to-even;</item>
/// <item><c>"ddimN"</c>: <c>range(0, T, k)</c> for the first integer stride k that gives exactly N steps;</item>
/// <item><c>"fast27"</c>: the set of <c>"10,10,3,2,2"</c> with T−1 replaced by T−3.</item>
/// </list>
/// </remarks>
public static class Respacing
{
    private const string DdimPrefix = "ddim";
    private const string FastPrefix = "fast";
    private const string Fast27 = "fast27";
    private static readonly int[] Fast27Sections = [10, 10, 3, 2, 2];

    /// <summary>The original timesteps <paramref name="spec"/> keeps, ascending: the spaced timestep map.</summary>
    /// <param name="spec">A respacing string, e.g. <c>"100"</c>, <c>"fast27"</c>, <c>"ddim50"</c>,
    /// <c>"10,10,3,2,2"</c>.</param>
    /// <param name="numTimesteps">Steps of the original process (1000 for GLIDE).</param>
    /// <exception cref="ArgumentException">The string is malformed or asks for steps the process cannot give; the
    /// message names the string and the reason.</exception>
    public static int[] Parse(string spec, int numTimesteps = 1000)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (numTimesteps < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(numTimesteps), numTimesteps, $"numTimesteps must be a positive integer, got {numTimesteps}");
        }

        var text = spec.Trim();
        if (text.Length == 0)
        {
            throw Invalid($"malformed respacing '{spec}': expected 'N', 'a,b,…', 'ddimN' or 'fast27'");
        }

        var kept = new bool[numTimesteps];
        if (text == Fast27)
        {
            // Five sections need T ≥ 5, so T−3 exists once AddSections has accepted T.
            AddSections(kept, Fast27Sections, spec);
            kept[numTimesteps - 1] = false;
            kept[numTimesteps - 3] = true;
        }
        else if (text.StartsWith(FastPrefix, StringComparison.Ordinal))
        {
            throw Invalid($"unknown respacing '{spec}': the only 'fast' respacing is 'fast27'");
        }
        else if (text.StartsWith(DdimPrefix, StringComparison.Ordinal))
        {
            AddDdim(kept, ParseCount(text[DdimPrefix.Length..], spec), spec);
        }
        else
        {
            var parts = text.Split(',');
            var counts = new int[parts.Length];
            for (var k = 0; k < parts.Length; k++)
            {
                counts[k] = ParseCount(parts[k], spec);
            }

            AddSections(kept, counts, spec);
        }

        var timesteps = new List<int>();
        for (var t = 0; t < kept.Length; t++)
        {
            if (kept[t])
            {
                timesteps.Add(t);
            }
        }

        return [.. timesteps];
    }

    // One positive step count: ASCII digits only (so no sign, no decimal point, no blank item).
    private static int ParseCount(string item, string spec)
    {
        var trimmed = item.Trim();
        if (trimmed.Length == 0 || !trimmed.All(char.IsAsciiDigit))
        {
            throw Invalid($"malformed respacing '{spec}': '{item}' is not a positive integer step count");
        }

        if (!int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw Invalid($"malformed respacing '{spec}': step count {trimmed} is too large");
        }

        if (count < 1)
        {
            throw Invalid($"malformed respacing '{spec}': step count must be at least 1, got {count}");
        }

        return count;
    }

    // "ddimN": the first stride k ≥ 1 with len(range(0, T, k)) = ⌈T/k⌉ = N.
    private static void AddDdim(bool[] kept, int count, string spec)
    {
        var total = kept.Length;
        for (var stride = 1; stride <= total; stride++)
        {
            if ((total + stride - 1) / stride == count)
            {
                for (var t = 0; t < total; t += stride)
                {
                    kept[t] = true;
                }

                return;
            }
        }

        throw Invalid($"respacing '{spec}': cannot take exactly {count} of {total} steps with an integer stride");
    }

    // Comma list: the first (T mod n) sections get one extra step; each takes start + round(cur) for its count,
    // cur advanced by repeated float64 addition, not multiplication: for "27" the stride is 999/26 and 13 additions
    // give 499.4999…, which rounds to 499 (glide-spec §7.2).
    private static void AddSections(bool[] kept, IReadOnlyList<int> counts, string spec)
    {
        var total = kept.Length;
        var sizePer = total / counts.Count;
        var extra = total % counts.Count;
        if (sizePer == 0)
        {
            throw Invalid($"respacing '{spec}': {counts.Count} sections do not fit in {total} steps");
        }

        var start = 0;
        for (var section = 0; section < counts.Count; section++)
        {
            var size = sizePer + (section < extra ? 1 : 0);
            var count = counts[section];
            if (count > size)
            {
                throw Invalid($"respacing '{spec}': cannot take {count} steps from a section of {size}");
            }

            var stride = count <= 1 ? 1.0 : (double)(size - 1) / (count - 1);
            var cur = 0.0;
            for (var k = 0; k < count; k++)
            {
                // Math.Round(double) rounds half to even, as Python's round() does.
                kept[start + (int)Math.Round(cur)] = true;
                cur += stride;
            }

            start += size;
        }
    }

    private static ArgumentException Invalid(string message) => new(message, "spec");
}
