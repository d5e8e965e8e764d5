namespace GlideFunctions.Activities;

/// <summary>
/// What the rerank stage chose: the kept candidates, best first (output k upsamples <c>Kept[k]</c>), the blob
/// holding every candidate's score ([N] float32), and the seconds it took.
/// </summary>
public sealed record RerankOutput(IReadOnlyList<KeptCandidate> Kept, string Scores, double Seconds);
