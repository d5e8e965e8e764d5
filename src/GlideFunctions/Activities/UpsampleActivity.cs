using Glide.Diffusion;
using Glide.Imaging;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Tensors;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The 64→256 upsampler for one image (design §1): its row of the base chunk, its own Philox upsample stream,
/// as <see cref="GlideCascade"/> runs it; writes <c>runs/{id}/up/{i}.npy</c> [1, 3, 256, 256] and
/// <c>runs/{id}/images/{i}.png</c>.
/// </summary>
[DurableTask(ActivityNames.Upsample)]
public sealed class UpsampleActivity(GlideModelProvider models, BlobTensorStore store, StageRunner runner)
    : TaskActivity<UpsampleInput, UpsampleOutput>
{
    public override async Task<UpsampleOutput> RunAsync(TaskActivityContext context, UpsampleInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(input.Row, nameof(input));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input.Row, input.ChunkLength, nameof(input));
        var set = models.Models;
        var unet = set.UpsampleUNet ?? throw GlideModelProvider.MissingGraph(set, "upsample.unet", StageNames.Upsample);
        var text = await StageBlobs.ReadTextAsync(
            store, input.Text.UpsampleXfProj, input.Text.UpsampleXfOut, 1, unet, CancellationToken.None)
            .ConfigureAwait(false);
        var low = unet.LowResSize;
        var chunk = StageTensors.Images(
            await store.ReadAsync(input.BaseChunk, NpyDType.Float32, [input.ChunkLength, 3, low, low], CancellationToken.None)
                .ConfigureAwait(false),
            low, input.BaseChunk, input.ChunkLength);
        var plane = 3 * low * low;

        var baseImage = chunk.AsMemory(input.Row * plane, plane);
        var schedule = DiffusionSchedule.Create(BetaSchedule.Linear, input.UpsampleSteps);
        var (upsampled, seconds) = await runner.RunAsync(
            input.RunId, StageNames.Upsample, input.Index,
            (progress, cancel) => UpsampleStage.Run(
                unet, text, baseImage.Span, new PhiloxNoiseSource([input.Seed], NoiseStreams.Upsample), schedule,
                input.Temperature, progress, cancel))
            .ConfigureAwait(false); // [1, 3, S, S]

        var size = unet.ImageSize;
        var png = PngFile.Encode(ImageQuantizer.ToRgb24(upsampled, size, size), size, size);
        var samplesBlob = RunBlobNames.Upsampled(input.RunId, input.Index);
        var imageBlob = RunBlobNames.Image(input.RunId, input.Index);
        await Task.WhenAll(
            store.WriteAsync(samplesBlob, StageTensors.Images(upsampled, 1, size), CancellationToken.None),
            store.WritePngAsync(imageBlob, png, CancellationToken.None)).ConfigureAwait(false);
        return new UpsampleOutput(input.Index, input.Seed, samplesBlob, imageBlob, seconds);
    }
}
