using Glide.Models;
using Glide.Pipeline;
using Glide.Tensors;
using GlideFunctions.Storage;

namespace GlideFunctions.Activities;

/// <summary>Reads the text conditioning a stage needs back from its blobs, shape-checked against the stage's UNet.</summary>
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
}
