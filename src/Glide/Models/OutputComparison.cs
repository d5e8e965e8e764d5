namespace Glide.Models;

/// <summary>How far one ONNX Runtime output is from the PyTorch reference.</summary>
/// <param name="Name">The output's name.</param>
/// <param name="MaxAbsError"><c>max|ort − torch|</c>; NaN when either side has a NaN or infinity mismatch.</param>
/// <param name="Scale"><c>max(1, max|torch|)</c>: the tolerance is relative to it.</param>
public sealed record OutputComparison(string Name, double MaxAbsError, double Scale)
{
    /// <summary>FORMAT.md: <c>max|ort − torch| ≤ 1e-4 · max(1, max|torch|)</c>.</summary>
    public const double RelativeTolerance = 1e-4;

    public double Tolerance => RelativeTolerance * Scale;

    /// <summary>False for a NaN error: a comparison with NaN is never within tolerance.</summary>
    public bool Passed => MaxAbsError <= Tolerance;

    /// <summary>Error over tolerance: at most 1 passes; +∞ for NaN so the worst output sorts last.</summary>
    public double Ratio => double.IsNaN(MaxAbsError) ? double.PositiveInfinity : MaxAbsError / Tolerance;
}
