using Glide.Pipeline;
using GlideFunctions.Activities;
using GlideFunctions.Api;
using Microsoft.DurableTask;

namespace GlideFunctions.Orchestration;

/// <summary>
/// One generation (design §1): EncodeText once, SampleBase fanned out over chunks of candidates, Upsample fanned
/// out per kept image, with webhook events on start, each output and completion. Deterministic (no clock, GUID,
/// random or I/O): it moves blob names and small records, never tensors, and every blob name follows from the plan,
/// so a replay schedules exactly the same work.
/// </summary>
/// <remarks>
/// A <see cref="GenerationEvents.Cancel"/> event ends the run at once as canceled (running activities see the cancel
/// request the endpoint wrote and stop at their next step). An activity that still fails after its retries ends it
/// as failed with the stage named; the completion webhook goes out either way before the orchestration ends.
/// </remarks>
public sealed class GenerationOrchestrator : TaskOrchestrator<GenerationPlan, GenerationOutcome>
{
    public override async Task<GenerationOutcome> RunAsync(TaskOrchestrationContext context, GenerationPlan input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        input.Validate();
        return await new GenerationRun(context, input).ExecuteAsync().ConfigureAwait(true);
    }

    /// <summary>The state of one execution of the orchestrator (rebuilt identically on every replay).</summary>
    private sealed class GenerationRun(TaskOrchestrationContext context, GenerationPlan plan)
    {
        private readonly TaskOptions _options = plan.Retry.ToTaskOptions();
        private readonly Task<string> _canceled = context.WaitForExternalEvent<string>(GenerationEvents.Cancel);
        private readonly GenerationNotifier _notifier = new(context, plan);
        private readonly Dictionary<string, double> _seconds = [];
        private readonly List<GenerationImage> _images = [];
        private GenerationCustomStatus _status = new();

        public async Task<GenerationOutcome> ExecuteAsync()
        {
            _status = _status with { StartedAt = context.CurrentUtcDateTime, Stage = StageNames.Text };
            _notifier.Notify(Api.WebhookEventType.Start, Resource());
            Publish();
            try
            {
                var text = await Guard(context.CallActivityAsync<EncodeTextOutput>(
                    ActivityNames.EncodeText, new EncodeTextInput(plan.RunId, plan.Prompt, plan.NegativePrompt),
                    _options)).ConfigureAwait(true);
                Finished(StageNames.Text, text.Seconds);

                Enter(StageNames.Base);
                var chunks = await Guard(Task.WhenAll(Enumerable.Range(0, plan.ChunkCount).Select(chunk =>
                    context.CallActivityAsync<SampleBaseOutput>(
                        ActivityNames.SampleBase,
                        new SampleBaseInput(
                            plan.RunId, chunk, plan.ChunkStart(chunk), plan.ChunkLength(chunk), plan.Seed,
                            plan.GuidanceScale, plan.BaseSteps, text.Text),
                        _options)))).ConfigureAwait(true);
                Finished(StageNames.Base, chunks.Sum(c => c.Seconds));

                if (plan.Rerank)
                {
                    Enter(StageNames.Rerank);
                    throw new GenerationFailedException(
                        StageNames.Rerank,
                        "rerank unavailable: this version of the service has no CLIP reranking stage");
                }

                Enter(StageNames.Upsample);
                var upsampled = await Guard(Task.WhenAll(Enumerable.Range(0, plan.OutputCount)
                    .Select(index => UpsampleAsync(index, chunks, text.Text)))).ConfigureAwait(true);
                Finished(StageNames.Upsample, upsampled.Sum(u => u.Seconds));
                return await EndAsync(GenerationStatus.Succeeded, error: null).ConfigureAwait(true);
            }
            catch (GenerationCanceledSignal)
            {
                return await EndAsync(GenerationStatus.Canceled, error: null).ConfigureAwait(true);
            }
            catch (TaskFailedException failure)
            {
                var reason = failure.FailureDetails.ErrorMessage;
                await EndAsync(GenerationStatus.Failed, new GenerationError(_status.Stage!, reason)).ConfigureAwait(true);
                throw new GenerationFailedException(_status.Stage!, reason);
            }
            catch (GenerationFailedException failure)
            {
                await EndAsync(GenerationStatus.Failed, new GenerationError(failure.Stage!, failure.Reason!))
                    .ConfigureAwait(true);
                throw;
            }
        }

        private async Task<UpsampleOutput> UpsampleAsync(int index, SampleBaseOutput[] chunks, TextBlobs text)
        {
            var chunk = index / plan.ChunkSize;
            var output = await context.CallActivityAsync<UpsampleOutput>(
                ActivityNames.Upsample,
                new UpsampleInput(
                    plan.RunId, index, plan.SeedOf(index), chunks[chunk].Chunk, index - plan.ChunkStart(chunk),
                    plan.ChunkLength(chunk), plan.UpsampleSteps, plan.UpsampleTemperature, text),
                _options).ConfigureAwait(true);

            // Orchestrator code runs on one thread; this continuation runs when the history says the activity ended.
            if (!_status.Status.IsTerminal())
            {
                _images.Add(new GenerationImage(output.Index, output.Seed, output.Image));
                _images.Sort((a, b) => a.Index.CompareTo(b.Index));
                Publish();
                _notifier.Notify(Api.WebhookEventType.Output, Resource(), output.Index);
                Publish();
            }

            return output;
        }

        private async Task<T> Guard<T>(Task<T> work)
        {
            if (await Task.WhenAny(work, _canceled).ConfigureAwait(true) == _canceled)
            {
                throw new GenerationCanceledSignal();
            }

            return await work.ConfigureAwait(true);
        }

        private async Task<GenerationOutcome> EndAsync(GenerationStatus status, GenerationError? error)
        {
            _status = _status with
            {
                Status = status,
                CompletedAt = context.CurrentUtcDateTime,
                Error = error,
            };
            _notifier.Notify(Api.WebhookEventType.Completed, Resource());
            Publish();
            await _notifier.WaitAsync().ConfigureAwait(true);
            return new GenerationOutcome(plan.RunId, status, [.. _images]);
        }

        private void Enter(string stage)
        {
            _status = _status with { Stage = stage };
            Publish();
        }

        private void Finished(string stage, double seconds) => _seconds[stage] = seconds;

        private void Publish()
        {
            _status = _status with
            {
                Images = [.. _images],
                StageSeconds = new Dictionary<string, double>(_seconds),
                Webhooks = _notifier.Deliveries,
            };
            context.SetCustomStatus(_status);
        }

        private GenerationResource Resource() =>
            GenerationResourceBuilder.Build(plan, _status with { Images = [.. _images] }, progress: []);
    }

    /// <summary>Unwinds the run when the cancel event arrives first; never leaves the orchestrator.</summary>
    private sealed class GenerationCanceledSignal : Exception
    {
        public GenerationCanceledSignal()
            : base("canceled by the client")
        {
        }
    }
}
