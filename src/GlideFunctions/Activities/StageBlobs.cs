using Glide.Imaging;
using Glide.Models;
using Glide.Pipeline;
using Glide.Tensors;
using GlideFunctions.Storage;

namespace GlideFunctions.Activities;

/// <summary>
/// What the stages read back from and write to their blobs, shape-checked against the stage's graphs: shared by the
/// text-to-image and the inpainting activities.
/// </summary>
internal static class StageBlobs
{
    public static async Task<TextConditioning> ReadTextAsync(
        BlobTensorStore store, string xfProjBlob, string xfOutBlob, int rows, UNetGraph unet,
        CancellationToken cancellationToken)
    {
        var xfProj = store.ReadAsync(xfProjBlob, NpyDType.Float32, [rows, unet.ProjectionWidth], cancellationToken);
        var xfOut = store.ReadAsync(
            xfOutBlob, NpyDType.Float32, [rows, unet.TextWidth, unet.ContextLength], cancellationToken);
        await Task.WhenAll(xfProj, xfOut).ConfigureAwait(false);
        return StageTensors.Text(await xfProj.ConfigureAwait(false), await xfOut.ConfigureAwait(false), xfProjBlob);
    }

    /// <summary>The inpainting source and mask the API stored (<see cref="InpaintInputs.ToArrays"/>).</summary>
    public static async Task<InpaintInputs> ReadInpaintAsync(
        BlobTensorStore store, InpaintBlobs blobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        const int small = InpaintInputs.BaseSize;
        const int large = InpaintInputs.UpsampleSize;
        var image64 = store.ReadAsync(blobs.Image64, NpyDType.Float32, [3, small, small], cancellationToken);
        var mask64 = store.ReadAsync(blobs.Mask64, NpyDType.Float32, [1, small, small], cancellationToken);
        var image256 = store.ReadAsync(blobs.Image256, NpyDType.Float32, [3, large, large], cancellationToken);
        await Task.WhenAll(image64, mask64, image256).ConfigureAwait(false);
        return InpaintInputs.FromArrays(
            await image64.ConfigureAwait(false), await mask64.ConfigureAwait(false), await image256.ConfigureAwait(false),
            blobs.Image64);
    }

    /// <summary>The one base image an upsample work item takes: row <c>Row</c> of its chunk, [3, S, S].</summary>
    public static async Task<float[]> ReadBaseImageAsync(
        BlobTensorStore store, UpsampleInput input, int size, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input.Row, nameof(input));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input.Row, input.ChunkLength, nameof(input));
        var chunk = StageTensors.Images(
            await store.ReadAsync(input.BaseChunk, NpyDType.Float32, [input.ChunkLength, 3, size, size], cancellationToken)
                .ConfigureAwait(false),
            size, input.BaseChunk, input.ChunkLength);
        var plane = 3 * size * size;
        return chunk.AsSpan(input.Row * plane, plane).ToArray();
    }

    /// <summary>
    /// Writes one upsampled image: its samples as <c>runs/{id}/up/{index}.npy</c> [1, 3, S, S] and its 8-bit PNG as
    /// <c>runs/{id}/images/{index}.png</c>; returns both names.
    /// </summary>
    public static async Task<(string Samples, string Image)> WriteUpsampledAsync(
        BlobTensorStore store, string runId, int index, float[] upsampled, int size, CancellationToken cancellationToken)
    {
        var png = PngFile.Encode(ImageQuantizer.ToRgb24(upsampled, size, size), size, size);
        var samplesBlob = RunBlobNames.Upsampled(runId, index);
        var imageBlob = RunBlobNames.Image(runId, index);
        await Task.WhenAll(
            store.WriteAsync(samplesBlob, StageTensors.Images(upsampled, 1, size), cancellationToken),
            store.WritePngAsync(imageBlob, png, cancellationToken)).ConfigureAwait(false);
        return (samplesBlob, imageBlob);
    }
}
