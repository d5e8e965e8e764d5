using Glide.Pipeline;
using GlideFunctions.Activities;
using Microsoft.DurableTask;

namespace GlideFunctions.Orchestration;

/// <summary>
/// One generation (design §1): EncodeText once, SampleBase fanned out over chunks of candidates, Upsample fanned
/// out per image. Deterministic (no clock, GUID, random or I/O): it moves blob names and small records, never
/// tensors, and every blob name follows from the plan, so a replay schedules exactly the same work.
/// </summary>
// DURABLE2003 looks for [Function] activity triggers only; these activities are TaskActivity classes registered
// by name ([DurableTask(ActivityNames.…)]), which it does not see. Remove once the thin [Function] shells exist.
#pragma warning disable DURABLE2003
public sealed class GenerationOrchestrator : TaskOrchestrator<GenerationPlan, GenerationOutcome>
{
    /// <summary>Three attempts, 5 s then 10 s apart: enough for a transient storage or worker failure.</summary>
    public static readonly TaskOptions ActivityOptions =
        TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(5), backoffCoefficient: 2));

    public override async Task<GenerationOutcome> RunAsync(TaskOrchestrationContext context, GenerationPlan input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        input.Validate();

        context.SetCustomStatus(new GenerationCustomStatus(StageNames.Text));
        var text = await context.CallActivityAsync<TextBlobs>(
            ActivityNames.EncodeText, new EncodeTextInput(input.RunId, input.Prompt, input.NegativePrompt),
            ActivityOptions);

        context.SetCustomStatus(new GenerationCustomStatus(StageNames.Base));
        var chunks = await Task.WhenAll(Enumerable.Range(0, input.ChunkCount).Select(chunk =>
            context.CallActivityAsync<string>(
                ActivityNames.SampleBase,
                new SampleBaseInput(
                    input.RunId, chunk, input.ChunkStart(chunk), input.ChunkLength(chunk), input.Seed,
                    input.GuidanceScale, input.BaseSteps, text),
                ActivityOptions)));

        context.SetCustomStatus(new GenerationCustomStatus(StageNames.Upsample));
        var images = await Task.WhenAll(Enumerable.Range(0, input.Count).Select(index =>
        {
            var chunk = index / input.ChunkSize;
            return context.CallActivityAsync<UpsampleOutput>(
                ActivityNames.Upsample,
                new UpsampleInput(
                    input.RunId, index, input.SeedOf(index), chunks[chunk], index - input.ChunkStart(chunk),
                    input.ChunkLength(chunk), input.UpsampleSteps, input.UpsampleTemperature, text),
                ActivityOptions);
        }));

        context.SetCustomStatus(new GenerationCustomStatus("completed"));
        return new GenerationOutcome(
            input.RunId, [.. images.OrderBy(i => i.Index).Select(i => new GenerationImage(i.Index, i.Seed, i.Image))]);
    }
}
