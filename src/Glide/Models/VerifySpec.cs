namespace Glide.Models;

/// <summary>Where a graph's reference inputs and PyTorch outputs are, and for what batch size.</summary>
public sealed record VerifySpec
{
    /// <summary>Path of the <c>.npz</c>, relative to the model directory.</summary>
    public required string File { get; init; }

    public required int Batch { get; init; }
}
