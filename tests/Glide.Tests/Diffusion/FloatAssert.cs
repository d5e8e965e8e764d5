namespace Glide.Tests.Diffusion;

internal static class FloatAssert
{
    /// <summary>Largest |expected − actual|; NaN anywhere, or a length mismatch, fails.</summary>
    public static double MaxAbsDiff(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0.0;
        for (var e = 0; e < expected.Length; e++)
        {
            Assert.False(float.IsNaN(actual[e]), $"NaN at {e}");
            max = Math.Max(max, Math.Abs((double)expected[e] - actual[e]));
        }

        return max;
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, string what)
    {
        var diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= atol, $"{what}: max abs diff {diff:G4} exceeds {atol:G4}");
    }

    /// <summary>|a − e| ≤ atol + rtol·|e| per element (numpy's assert_allclose).</summary>
    public static void AllClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol, double atol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var e = 0; e < expected.Length; e++)
        {
            var tolerance = atol + (rtol * Math.Abs(expected[e]));
            Assert.True(
                Math.Abs((double)actual[e] - expected[e]) <= tolerance,
                $"[{e}]: {actual[e]:R} vs expected {expected[e]:R}");
        }
    }
}
