namespace GlideFunctions.Activities;

/// <summary>
/// The rerank stage's input: the prompt, every base chunk blob in candidate order with its number of candidates
/// (chunk c holds candidates from the sum of the lengths before it), and how many candidates to keep.
/// </summary>
public sealed record RerankInput(
    string RunId, string Prompt, IReadOnlyList<string> BaseChunks, IReadOnlyList<int> ChunkLengths, int Keep);
