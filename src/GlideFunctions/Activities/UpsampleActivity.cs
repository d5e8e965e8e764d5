using Glide.Diffusion;
using Glide.Noise;
using Glide.Pipeline;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The 64→256 upsampler for one image (design §1): its row of the base chunk, its own Philox upsample stream and
/// the request's upsample sampler (or the model's, its manifest's <c>sampling</c>), as <see cref="GlideCascade"/>
/// runs it; writes <c>runs/{id}/up/{i}.npy</c> [1, 3, 256, 256] and
/// <c>runs/{id}/images/{i}.png</c>.
/// </summary>
[DurableTask(ActivityNames.Upsample)]
public sealed class UpsampleActivity(GlideModelProvider models, BlobTensorStore store, StageRunner runner)
    : TaskActivity<UpsampleInput, UpsampleOutput>
{
    public override async Task<UpsampleOutput> RunAsync(TaskActivityContext context, UpsampleInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Inpaint is not null)
        {
            throw new ArgumentException(
                $"{ActivityNames.Upsample} runs the text-to-image upsampler; an inpainting run's images go to " +
                ActivityNames.InpaintUpsample, nameof(input));
        }

        var set = models.Models;
        var unet = set.UpsampleUNet ?? throw GlideModelProvider.MissingGraph(set, "upsample.unet", StageNames.Upsample);
        var text = await StageBlobs.ReadTextAsync(
            store, input.Text.UpsampleXfProj, input.Text.UpsampleXfOut, 1, unet, CancellationToken.None)
            .ConfigureAwait(false);
        var baseImage = await StageBlobs.ReadBaseImageAsync(store, input, unet.LowResSize, CancellationToken.None)
            .ConfigureAwait(false);

        var schedule = DiffusionSchedule.Create(BetaSchedule.Linear, input.UpsampleSteps);
        var sampler = input.Sampler ?? set.Manifest.Sampling.UpsampleSamplerKind;
        var (upsampled, seconds) = await runner.RunAsync(
            input.RunId, StageNames.Upsample, input.Index,
            (progress, cancel) => UpsampleStage.Run(
                unet, text, baseImage, new PhiloxNoiseSource([input.Seed], NoiseStreams.Upsample), schedule,
                input.Temperature, progress, cancel, sampler: sampler))
            .ConfigureAwait(false); // [1, 3, S, S]

        var (samplesBlob, imageBlob) = await StageBlobs.WriteUpsampledAsync(
            store, input.RunId, input.Index, upsampled, unet.ImageSize, CancellationToken.None).ConfigureAwait(false);
        return new UpsampleOutput(input.Index, input.Seed, samplesBlob, imageBlob, seconds);
    }
}
