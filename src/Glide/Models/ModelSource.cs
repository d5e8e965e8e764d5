namespace Glide.Models;

/// <summary>
/// Where a model's weights came from: <c>random</c> (with a seed) or <c>checkpoint</c> files, named by part
/// (<c>base</c>, or <c>clip-text</c> and <c>clip-image</c> for the CLIP pair), each with its hash.
/// </summary>
public sealed record ModelSource
{
    public const string RandomKind = "random";
    public const string CheckpointKind = "checkpoint";

    public required string Kind { get; init; }

    public long? Seed { get; init; }

    public IReadOnlyDictionary<string, CheckpointFile>? Files { get; init; }
}
