using Glide.Diffusion;
using Glide.Noise;
using Glide.Pipeline;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The 64×64 inpainting base stage for one chunk of images (glide-spec §8.3): the stored source and mask, each
/// image's own Philox base stream, classifier-free guided ancestral sampling with x0 re-masked every step
/// (<see cref="InpaintStages.RunBase"/>), exactly as <see cref="InpaintCascade"/> runs it. Writes
/// <c>runs/{id}/base/{chunk}.npy</c> [n, 3, 64, 64] like the text-to-image base stage, so the upsampler fan-out is the
/// same. Progress and cancellation go through <see cref="StageRunner"/>.
/// </summary>
[DurableTask(ActivityNames.InpaintBase)]
public sealed class InpaintBaseActivity(GlideModelProvider models, BlobTensorStore store, StageRunner runner)
    : TaskActivity<SampleBaseInput, SampleBaseOutput>
{
    public override async Task<SampleBaseOutput> RunAsync(TaskActivityContext context, SampleBaseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(input.Count, 1, nameof(input));
        var blobs = input.Inpaint ?? throw new ArgumentException(
            $"{ActivityNames.InpaintBase} needs the run's stored source and mask (Inpaint)", nameof(input));
        if (input.Guidance != GuidanceMode.ClassifierFree)
        {
            throw new ArgumentException("inpainting runs with classifier-free guidance only", nameof(input));
        }

        var set = models.InpaintModels;
        var unet = set.BaseInpaintUNet ?? throw GlideModelProvider.MissingGraph(set, "base-inpaint.unet", StageNames.Base);
        var text = StageBlobs.ReadTextAsync(
            store, input.Text.BaseXfProj, input.Text.BaseXfOut, 2, unet, CancellationToken.None);
        var inputs = StageBlobs.ReadInpaintAsync(store, blobs, CancellationToken.None);
        await Task.WhenAll(text, inputs).ConfigureAwait(false);

        var conditioning = await text.ConfigureAwait(false);
        var source = await inputs.ConfigureAwait(false);
        var seeds = Enumerable.Range(input.FirstIndex, input.Count).Select(k => unchecked(input.Seed + k)).ToArray();
        var schedule = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, input.BaseSteps);
        var scales = Enumerable.Repeat(input.GuidanceScale, input.Count).ToArray();
        var (samples, seconds) = await runner.RunAsync(
            input.RunId, StageNames.Base, input.Chunk,
            (progress, cancel) => InpaintStages.RunBase(
                unet, conditioning, source, new PhiloxNoiseSource(seeds, NoiseStreams.Base), scales, schedule,
                progress, cancel))
            .ConfigureAwait(false); // [n, 3, 64, 64]

        var chunk = RunBlobNames.BaseChunk(input.RunId, input.Chunk);
        await store.WriteAsync(chunk, StageTensors.Images(samples, input.Count, unet.ImageSize), CancellationToken.None)
            .ConfigureAwait(false);
        return new SampleBaseOutput(chunk, seconds);
    }
}
