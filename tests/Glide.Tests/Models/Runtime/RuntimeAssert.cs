namespace Glide.Tests.Models.Runtime;

/// <summary>Float comparisons that name the worst element when they fail.</summary>
internal static class RuntimeAssert
{
    /// <summary>
    /// FORMAT.md's verification bound, <c>max|actual − expected| ≤ tolerance · max(1, max|expected|)</c>; a NaN fails.
    /// </summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = 1.0;
        foreach (var value in expected)
        {
            scale = Math.Max(scale, Math.Abs((double)value));
        }

        var worst = -1;
        var worstError = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(error) || error > worstError)
            {
                worst = i;
                worstError = double.IsNaN(error) ? double.PositiveInfinity : error;
            }
        }

        if (worstError > tolerance * scale)
        {
            Assert.Fail(
                $"{what}: max |error| {worstError:G4} at [{worst}] (expected {expected[worst]}, got {actual[worst]}) " +
                $"exceeds {tolerance:G3} · {scale:G4}");
        }
    }
}
