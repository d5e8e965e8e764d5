using Glide.Pipeline;

namespace GlideFunctions.Orchestration;

/// <summary>
/// The input of <see cref="GenerationOrchestrator"/>: one validated generation and how to fan it out. Candidate k
/// uses seed <see cref="Seed"/> + k, as in <see cref="GenerationRequest"/>, so the fan-out never changes an image.
/// <c>RunId</c> names the run's blobs (<c>runs/{RunId}/…</c>, see <c>RunBlobNames</c>); <c>ChunkSize</c> is the
/// number of candidates per <c>SampleBase</c> activity.
/// </summary>
public sealed record GenerationPlan(
    string RunId,
    string Prompt,
    string? NegativePrompt,
    int Count,
    int ChunkSize,
    long Seed,
    float GuidanceScale,
    string BaseSteps,
    string UpsampleSteps,
    float UpsampleTemperature)
{
    /// <summary>The same generation as one request to the in-process cascade.</summary>
    public GenerationRequest ToRequest() => new()
    {
        Prompt = Prompt,
        NegativePrompt = NegativePrompt,
        Count = Count,
        Seed = Seed,
        GuidanceScale = GuidanceScale,
        BaseSteps = BaseSteps,
        UpsampleSteps = UpsampleSteps,
        UpsampleTemperature = UpsampleTemperature,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        Storage.RunBlobNames.RequireRunId(RunId, nameof(RunId));
        ToRequest().Validate();
        if (ChunkSize < 1)
        {
            throw new ArgumentException($"chunk size must be at least 1, got {ChunkSize}", nameof(ChunkSize));
        }
    }

    /// <summary>How many <c>SampleBase</c> chunks the candidates make.</summary>
    public int ChunkCount => (Count + ChunkSize - 1) / ChunkSize;

    /// <summary>Index of the first candidate of <paramref name="chunk"/>.</summary>
    public int ChunkStart(int chunk) => chunk * ChunkSize;

    /// <summary>Candidates in <paramref name="chunk"/> (the last one may be short).</summary>
    public int ChunkLength(int chunk) => Math.Min(ChunkSize, Count - ChunkStart(chunk));

    public long SeedOf(int index) => unchecked(Seed + index);
}
