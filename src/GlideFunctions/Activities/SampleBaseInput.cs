namespace GlideFunctions.Activities;

/// <summary>
/// One chunk of base candidates: <c>Count</c> images from <c>FirstIndex</c>. <c>Seed</c> is the generation's seed:
/// candidate k uses Seed + k.
/// </summary>
public sealed record SampleBaseInput(
    string RunId, int Chunk, int FirstIndex, int Count, long Seed, float GuidanceScale, string BaseSteps, TextBlobs Text);
