using Glide.Diffusion;
using Glide.Noise;
using Glide.Pipeline;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The 64→256 inpainting upsampler for one image (glide-spec §8.3): its row of the base chunk, the stored source and
/// mask, and its own Philox upsample stream, run by <see cref="InpaintStages.RunUpsample"/> (ancestral fast27, x0
/// re-masked every step) exactly as <see cref="InpaintCascade"/> runs it; writes <c>runs/{id}/up/{i}.npy</c>
/// [1, 3, 256, 256] and <c>runs/{id}/images/{i}.png</c>, whose kept region equals the resized source.
/// </summary>
[DurableTask(ActivityNames.InpaintUpsample)]
public sealed class InpaintUpsampleActivity(GlideModelProvider models, BlobTensorStore store, StageRunner runner)
    : TaskActivity<UpsampleInput, UpsampleOutput>
{
    public override async Task<UpsampleOutput> RunAsync(TaskActivityContext context, UpsampleInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var blobs = input.Inpaint ?? throw new ArgumentException(
            $"{ActivityNames.InpaintUpsample} needs the run's stored source and mask (Inpaint)", nameof(input));
        if (input.Sampler is not null)
        {
            throw new ArgumentException(
                $"{ActivityNames.InpaintUpsample} upsamples with ancestral steps only; got Sampler {input.Sampler}",
                nameof(input));
        }

        var set = models.InpaintModels;
        var unet = set.UpsampleInpaintUNet
                   ?? throw GlideModelProvider.MissingGraph(set, "upsample-inpaint.unet", StageNames.Upsample);
        var text = StageBlobs.ReadTextAsync(
            store, input.Text.UpsampleXfProj, input.Text.UpsampleXfOut, 1, unet, CancellationToken.None);
        var inputs = StageBlobs.ReadInpaintAsync(store, blobs, CancellationToken.None);
        var baseImage = StageBlobs.ReadBaseImageAsync(store, input, unet.LowResSize, CancellationToken.None);
        await Task.WhenAll(text, inputs, baseImage).ConfigureAwait(false);

        var schedule = DiffusionSchedule.Create(BetaSchedule.Linear, input.UpsampleSteps);
        var conditioning = await text.ConfigureAwait(false);
        var source = await inputs.ConfigureAwait(false);
        var low = await baseImage.ConfigureAwait(false);
        var (upsampled, seconds) = await runner.RunAsync(
            input.RunId, StageNames.Upsample, input.Index,
            (progress, cancel) => InpaintStages.RunUpsample(
                unet, conditioning, low, source, new PhiloxNoiseSource([input.Seed], NoiseStreams.Upsample), schedule,
                input.Temperature, progress, cancel))
            .ConfigureAwait(false); // [1, 3, 256, 256]

        var (samplesBlob, imageBlob) = await StageBlobs.WriteUpsampledAsync(
            store, input.RunId, input.Index, upsampled, unet.ImageSize, CancellationToken.None).ConfigureAwait(false);
        return new UpsampleOutput(input.Index, input.Seed, samplesBlob, imageBlob, seconds);
    }
}
