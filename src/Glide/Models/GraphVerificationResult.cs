namespace Glide.Models;

/// <summary>The outcome of running one graph on its verify inputs and comparing every output.</summary>
public sealed record GraphVerificationResult(string Graph, int Batch, IReadOnlyList<OutputComparison> Outputs)
{
    public bool Passed => Outputs.All(o => o.Passed);

    /// <summary>The output furthest from passing (largest error relative to its tolerance).</summary>
    public OutputComparison Worst => Outputs.MaxBy(o => o.Ratio)
        ?? throw new InvalidOperationException($"graph '{Graph}' compared no outputs");

    public double MaxAbsError => Worst.MaxAbsError;

    public double Scale => Worst.Scale;
}
