namespace Glide.Models;

/// <summary>One checkpoint file a model was converted from: its file name and SHA-256 (lowercase hex).</summary>
public sealed record CheckpointFile
{
    public string? File { get; init; }

    public string? Sha256 { get; init; }
}
