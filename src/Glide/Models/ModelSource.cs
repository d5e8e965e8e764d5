namespace Glide.Models;

/// <summary>Where a model's weights came from: <c>random</c> (with a seed) or a <c>checkpoint</c> file and its hash.</summary>
public sealed record ModelSource
{
    public const string RandomKind = "random";
    public const string CheckpointKind = "checkpoint";

    public required string Kind { get; init; }

    public long? Seed { get; init; }

    public string? File { get; init; }

    public string? Sha256 { get; init; }
}
