using Glide.Pipeline;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The text stage (design §1): the prompt through base.text (with the negative prompt for guidance) and
/// upsample.text, once per run; writes the four conditioning arrays under <c>runs/{id}/text/</c>.
/// </summary>
[DurableTask(ActivityNames.EncodeText)]
public sealed class EncodeTextActivity(GlideModelProvider models, BlobTensorStore store)
    : TaskActivity<EncodeTextInput, EncodeTextOutput>
{
    public override async Task<EncodeTextOutput> RunAsync(TaskActivityContext context, EncodeTextInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var set = models.Models;
        var baseText = set.BaseText ?? throw GlideModelProvider.MissingGraph(set, "base.text", StageNames.Text);
        var upsampleText = set.UpsampleText ?? throw GlideModelProvider.MissingGraph(set, "upsample.text", StageNames.Text);
        var encoding = new PromptEncoder(models.Tokenizer).Encode(input.Prompt, input.NegativePrompt, baseText, upsampleText);

        var blobs = Names(input.RunId);
        await Task.WhenAll(
            store.WriteAsync(blobs.BaseXfProj, StageTensors.XfProj(encoding.Base), CancellationToken.None),
            store.WriteAsync(blobs.BaseXfOut, StageTensors.XfOut(encoding.Base), CancellationToken.None),
            store.WriteAsync(blobs.UpsampleXfProj, StageTensors.XfProj(encoding.Upsample!), CancellationToken.None),
            store.WriteAsync(blobs.UpsampleXfOut, StageTensors.XfOut(encoding.Upsample!), CancellationToken.None))
            .ConfigureAwait(false);
        return new EncodeTextOutput(blobs, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>Where the text stage of <paramref name="runId"/> writes.</summary>
    public static TextBlobs Names(string runId) => new(
        RunBlobNames.Text(runId, "base.xf_proj"),
        RunBlobNames.Text(runId, "base.xf_out"),
        RunBlobNames.Text(runId, "upsample.xf_proj"),
        RunBlobNames.Text(runId, "upsample.xf_out"));
}
