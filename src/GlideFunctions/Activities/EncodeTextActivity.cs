using Glide.Models;
using Glide.Pipeline;
using Glide.Tensors;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The text stage (design §1): the prompt through base.text (with the negative prompt for guidance) and
/// upsample.text, or for inpainting through base-inpaint.text and upsample-inpaint.text, once per run; writes the four
/// conditioning arrays under <c>runs/{id}/text/</c>. With CLIP guidance it also writes the prompt's clip.text
/// embedding (<c>clip.text_emb.npy</c> [E]), which every CLIP-guided base chunk needs.
/// </summary>
[DurableTask(ActivityNames.EncodeText)]
public sealed class EncodeTextActivity(GlideModelProvider models, BlobTensorStore store)
    : TaskActivity<EncodeTextInput, EncodeTextOutput>
{
    public override async Task<EncodeTextOutput> RunAsync(TaskActivityContext context, EncodeTextInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Inpaint && input.Guidance != GuidanceMode.ClassifierFree)
        {
            throw new ArgumentException("inpainting runs with classifier-free guidance only", nameof(input));
        }

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var set = input.Inpaint ? models.InpaintModels : models.Models;
        var (baseText, upsampleText) = input.Inpaint
            ? (Require(set, set.BaseInpaintText, "base-inpaint.text"), Require(set, set.UpsampleInpaintText, "upsample-inpaint.text"))
            : (Require(set, set.BaseText, "base.text"), Require(set, set.UpsampleText, "upsample.text"));
        var clipText = input.Guidance == GuidanceMode.Clip ? ClipGuidedBaseStage.Graphs(set).ClipText : null;
        var encoding = new PromptEncoder(models.Tokenizer).Encode(input.Prompt, input.NegativePrompt, baseText, upsampleText);

        var blobs = Names(input.RunId, input.Inpaint, clipText is not null);
        List<Task> writes =
        [
            store.WriteAsync(blobs.BaseXfProj, StageTensors.XfProj(encoding.Base), CancellationToken.None),
            store.WriteAsync(blobs.BaseXfOut, StageTensors.XfOut(encoding.Base), CancellationToken.None),
            store.WriteAsync(blobs.UpsampleXfProj, StageTensors.XfProj(encoding.Upsample!), CancellationToken.None),
            store.WriteAsync(blobs.UpsampleXfOut, StageTensors.XfOut(encoding.Upsample!), CancellationToken.None),
        ];
        if (clipText is not null)
        {
            var embedding = ClipGuidedBaseStage.EncodePrompt(clipText, models.ClipTokenizer, input.Prompt); // [E]
            writes.Add(store.WriteAsync(
                blobs.ClipTextEmbedding!, NpyArray.FromSingle(embedding, embedding.Length), CancellationToken.None));
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
        return new EncodeTextOutput(blobs, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>Where the text stage of a text-to-image run <paramref name="runId"/> with CFG writes.</summary>
    public static TextBlobs Names(string runId) => Names(runId, inpaint: false, clipEmbedding: false);

    /// <summary>
    /// Where the text stage of <paramref name="runId"/> writes: named after the text graphs that made each array, and
    /// with <paramref name="clipEmbedding"/> the CLIP text embedding too.
    /// </summary>
    public static TextBlobs Names(string runId, bool inpaint, bool clipEmbedding)
    {
        var (basePrefix, upsamplePrefix) = inpaint ? ("base-inpaint", "upsample-inpaint") : ("base", "upsample");
        return new(
            RunBlobNames.Text(runId, $"{basePrefix}.xf_proj"),
            RunBlobNames.Text(runId, $"{basePrefix}.xf_out"),
            RunBlobNames.Text(runId, $"{upsamplePrefix}.xf_proj"),
            RunBlobNames.Text(runId, $"{upsamplePrefix}.xf_out"))
        {
            ClipTextEmbedding = clipEmbedding ? RunBlobNames.Text(runId, "clip.text_emb") : null,
        };
    }

    private static TextEncoderGraph Require(GlideModelSet set, TextEncoderGraph? graph, string name) =>
        graph ?? throw GlideModelProvider.MissingGraph(set, name, StageNames.Text);
}
