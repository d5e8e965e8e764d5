namespace GlideFunctions.Orchestration;

/// <summary>What <see cref="GenerationOrchestrator"/> returns: the final images, in candidate order.</summary>
public sealed record GenerationOutcome(string RunId, IReadOnlyList<GenerationImage> Images);

/// <summary>One final image: its blob (<c>runs/{id}/images/{Index}.png</c>) and the seed that made it.</summary>
public sealed record GenerationImage(int Index, long Seed, string ImageBlob);
