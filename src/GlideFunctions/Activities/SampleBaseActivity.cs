using Glide.Diffusion;
using Glide.Noise;
using Glide.Pipeline;
using Glide.Tensors;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.DurableTask;

namespace GlideFunctions.Activities;

/// <summary>
/// The 64×64 base stage for one chunk of candidates (design §1): the whole guided ancestral loop with each
/// candidate's own Philox base stream, exactly as <see cref="GlideCascade"/> runs it: classifier-free guided
/// (<see cref="BaseStage"/>), or CLIP-guided (<see cref="ClipGuidedBaseStage"/>, with the prompt's CLIP embedding
/// the text stage stored). Writes <c>runs/{id}/base/{chunk}.npy</c> [n, 3, 64, 64] and returns its name. Progress and
/// cancellation go through <see cref="StageRunner"/>.
/// </summary>
[DurableTask(ActivityNames.SampleBase)]
public sealed class SampleBaseActivity(GlideModelProvider models, BlobTensorStore store, StageRunner runner)
    : TaskActivity<SampleBaseInput, SampleBaseOutput>
{
    public override async Task<SampleBaseOutput> RunAsync(TaskActivityContext context, SampleBaseInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(input.Count, 1, nameof(input));
        if (input.Inpaint is not null)
        {
            throw new ArgumentException(
                $"{ActivityNames.SampleBase} runs the text-to-image base; an inpainting run's chunks go to " +
                ActivityNames.InpaintBase, nameof(input));
        }

        var set = models.Models;
        var unet = set.BaseUNet ?? throw GlideModelProvider.MissingGraph(set, "base.unet", StageNames.Base);
        var text = await StageBlobs.ReadTextAsync(
            store, input.Text.BaseXfProj, input.Text.BaseXfOut, 2, unet, CancellationToken.None).ConfigureAwait(false);

        var seeds = Enumerable.Range(input.FirstIndex, input.Count).Select(k => unchecked(input.Seed + k)).ToArray();
        var noise = new PhiloxNoiseSource(seeds, NoiseStreams.Base);
        var schedule = DiffusionSchedule.Create(BetaSchedule.SquaredCosCapV2, input.BaseSteps);
        var scales = Enumerable.Repeat(input.GuidanceScale, input.Count).ToArray();
        Func<IProgress<StageProgress>, CancellationToken, float[]> work;
        if (input.Guidance == GuidanceMode.Clip)
        {
            var (_, _, gradient) = ClipGuidedBaseStage.Graphs(set);
            var blob = input.Text.ClipTextEmbedding ?? throw new ArgumentException(
                "CLIP guidance needs the prompt's CLIP embedding, but the text stage stored none", nameof(input));
            var embedding = (await store.ReadAsync(blob, NpyDType.Float32, [gradient.EmbeddingWidth], CancellationToken.None)
                .ConfigureAwait(false)).AsSingle(); // [E], L2-normalised
            work = (progress, cancel) => ClipGuidedBaseStage.Run(
                unet, text, gradient, embedding, noise, scales, schedule, progress, cancel);
        }
        else
        {
            work = (progress, cancel) => BaseStage.Run(unet, text, noise, scales, schedule, progress, cancel);
        }

        var (samples, seconds) = await runner.RunAsync(input.RunId, StageNames.Base, input.Chunk, work)
            .ConfigureAwait(false); // [n, 3, 64, 64]

        var chunk = RunBlobNames.BaseChunk(input.RunId, input.Chunk);
        await store.WriteAsync(chunk, StageTensors.Images(samples, input.Count, unet.ImageSize), CancellationToken.None)
            .ConfigureAwait(false);
        return new SampleBaseOutput(chunk, seconds);
    }
}
