using Glide.Diffusion;
using Glide.Noise;
using Glide.Pipeline;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The 64×64 base stage for one chunk of candidates (design §1): the whole guided ancestral loop with each
/// candidate's own Philox base stream, exactly as <see cref="GlideCascade"/> runs it; writes
/// <c>runs/{id}/base/{chunk}.npy</c> [n, 3, 64, 64] and returns its name. Progress and cancellation go through
/// <see cref="StageRunner"/>.
/// </summary>
[DurableTask(ActivityNames.SampleBase)]
public sealed class SampleBaseActivity(GlideModelProvider models, BlobTensorStore store, StageRunner runner)
    : TaskActivity<SampleBaseInput, SampleBaseOutput>
{
    public override async Task<SampleBaseOutput> RunAsync(TaskActivityContext context, SampleBaseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(input.Count, 1, nameof(input));
        var set = models.Models;
        var unet = set.BaseUNet ?? throw GlideModelProvider.MissingGraph(set, "base.unet", StageNames.Base);
        var text = await StageBlobs.ReadTextAsync(
            store, input.Text.BaseXfProj, input.Text.BaseXfOut, 2, unet, CancellationToken.None).ConfigureAwait(false);

        var seeds = Enumerable.Range(input.FirstIndex, input.Count).Select(k => unchecked(input.Seed + k)).ToArray();
        var schedule = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, input.BaseSteps);
        var scales = Enumerable.Repeat(input.GuidanceScale, input.Count).ToArray();
        var (samples, seconds) = await runner.RunAsync(
            input.RunId, StageNames.Base, input.Chunk,
            (progress, cancel) => BaseStage.Run(
                unet, text, new PhiloxNoiseSource(seeds, NoiseStreams.Base), scales, schedule, progress, cancel))
            .ConfigureAwait(false); // [n, 3, 64, 64]

        var blob = RunBlobNames.BaseChunk(input.RunId, input.Chunk);
        await store.WriteAsync(blob, StageTensors.Images(samples, input.Count, unet.ImageSize), CancellationToken.None)
            .ConfigureAwait(false);
        return new SampleBaseOutput(blob, seconds);
    }
}
