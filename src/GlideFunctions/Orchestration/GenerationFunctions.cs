using GlideFunctions.Activities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace GlideFunctions.Orchestration;

/// <summary>
/// The Functions registrations of the generation orchestrator and its activities: thin shells over the
/// <see cref="TaskOrchestrator{TInput,TOutput}"/> and <see cref="TaskActivity{TInput,TOutput}"/> classes, which hold
/// the logic and run unchanged in the in-process Durable test host.
/// </summary>
public sealed class GenerationFunctions(
    EncodeTextActivity encodeText,
    SampleBaseActivity sampleBase,
    UpsampleActivity upsample,
    RerankActivity rerank,
    InpaintBaseActivity inpaintBase,
    InpaintUpsampleActivity inpaintUpsample)
{
    [Function(nameof(GenerationOrchestrator))]
    public static Task<GenerationOutcome> RunOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new GenerationOrchestrator().RunAsync(context, context.GetInput<GenerationPlan>()!);

    [Function(ActivityNames.EncodeText)]
    public Task<EncodeTextOutput> EncodeText([ActivityTrigger] EncodeTextInput input, string instanceId) =>
        encodeText.RunAsync(new ActivityContext(ActivityNames.EncodeText, instanceId), input);

    [Function(ActivityNames.SampleBase)]
    public Task<SampleBaseOutput> SampleBase([ActivityTrigger] SampleBaseInput input, string instanceId) =>
        sampleBase.RunAsync(new ActivityContext(ActivityNames.SampleBase, instanceId), input);

    [Function(ActivityNames.Rerank)]
    public Task<RerankOutput> Rerank([ActivityTrigger] RerankInput input, string instanceId) =>
        rerank.RunAsync(new ActivityContext(ActivityNames.Rerank, instanceId), input);

    [Function(ActivityNames.Upsample)]
    public Task<UpsampleOutput> Upsample([ActivityTrigger] UpsampleInput input, string instanceId) =>
        upsample.RunAsync(new ActivityContext(ActivityNames.Upsample, instanceId), input);

    [Function(ActivityNames.InpaintBase)]
    public Task<SampleBaseOutput> InpaintBase([ActivityTrigger] SampleBaseInput input, string instanceId) =>
        inpaintBase.RunAsync(new ActivityContext(ActivityNames.InpaintBase, instanceId), input);

    [Function(ActivityNames.InpaintUpsample)]
    public Task<UpsampleOutput> InpaintUpsample([ActivityTrigger] UpsampleInput input, string instanceId) =>
        inpaintUpsample.RunAsync(new ActivityContext(ActivityNames.InpaintUpsample, instanceId), input);

    // What the Durable source generator emits for class-based activities: the name and the orchestration's id.
    private sealed class ActivityContext(TaskName name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;

        public override string InstanceId { get; } = instanceId;
    }
}
