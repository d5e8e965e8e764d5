using Glide.Pipeline;
using Glide.Tensors;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The rerank stage (design §1), the fan-in after the base chunks: reads every chunk blob, scores all N candidates
/// against the prompt with noised CLIP at t = 0 (<see cref="ClipReranker"/>, exactly as <see cref="GlideCascade"/>
/// does), writes <c>runs/{id}/rerank/scores.npy</c> [N] and returns the best <c>Keep</c>, best first. Progress
/// (candidates scored) and cancellation go through <see cref="StageRunner"/>.
/// </summary>
[DurableTask(ActivityNames.Rerank)]
public sealed class RerankActivity(GlideModelProvider models, BlobTensorStore store, StageRunner runner)
    : TaskActivity<RerankInput, RerankOutput>
{
    public override async Task<RerankOutput> RunAsync(TaskActivityContext context, RerankInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(input.BaseChunks);
        ArgumentNullException.ThrowIfNull(input.ChunkLengths);
        if (input.BaseChunks.Count == 0 || input.BaseChunks.Count != input.ChunkLengths.Count)
        {
            throw new ArgumentException(
                $"expected one length per base chunk, got {input.BaseChunks.Count} chunks and " +
                $"{input.ChunkLengths.Count} lengths", nameof(input));
        }

        var reranker = ClipReranker.Create(models.Models, models.ClipTokenizer);
        var size = reranker.ImageSize;
        var plane = 3 * size * size;
        var count = input.ChunkLengths.Sum();
        var reads = input.BaseChunks.Select((blob, c) =>
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(input.ChunkLengths[c], 1, nameof(input));
            return store.ReadAsync(
                blob, NpyDType.Float32, [input.ChunkLengths[c], 3, size, size], CancellationToken.None);
        }).ToArray();
        await Task.WhenAll(reads).ConfigureAwait(false);

        var candidates = new float[count * plane]; // [N, 3, S, S] in candidate order
        var first = 0;
        for (var c = 0; c < reads.Length; c++)
        {
            var chunk = StageTensors.Images(
                await reads[c].ConfigureAwait(false), size, input.BaseChunks[c], input.ChunkLengths[c]);
            chunk.CopyTo(candidates, first * plane);
            first += input.ChunkLengths[c];
        }

        var (result, seconds) = await runner.RunAsync(
            input.RunId, StageNames.Rerank, 0,
            (progress, cancel) => reranker.Rerank(input.Prompt, candidates, count, input.Keep, progress, cancel))
            .ConfigureAwait(false);

        var scores = RunBlobNames.RerankScores(input.RunId);
        await store.WriteAsync(
                scores, NpyArray.FromSingle([.. result.Candidates.Select(c => c.Score)], count), CancellationToken.None)
            .ConfigureAwait(false);
        return new RerankOutput(
            [.. result.Kept.Select(k => new KeptCandidate(k, result.Candidates[k].Score))], scores, seconds);
    }
}
