using Glide.Pipeline;
using GlideFunctions.Activities;
using GlideFunctions.Api;
using Microsoft.DurableTask;

namespace GlideFunctions.Orchestration;

/// <summary>
/// One generation (design §1): EncodeText once, SampleBase fanned out over chunks of candidates, optionally Rerank
/// (the fan-in that scores every candidate with CLIP and keeps the best), Upsample fanned out per kept image, with
/// webhook events on start, each output and completion. An inpainting plan takes the same path on the inpainting
/// models: InpaintBase in place of SampleBase and InpaintUpsample in place of Upsample, the stored source and mask
/// named in their inputs (never the images themselves). Deterministic (no clock, GUID,
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
                    ActivityNames.EncodeText,
                    new EncodeTextInput(plan.RunId, plan.Prompt, plan.NegativePrompt)
                    {
                        Guidance = plan.Guidance,
                        Inpaint = plan.Inpaint is not null,
                    },
                    _options)).ConfigureAwait(true);
                Finished(StageNames.Text, text.Seconds);

                Enter(StageNames.Base);
                var chunks = await Guard(Task.WhenAll(Enumerable.Range(0, plan.ChunkCount).Select(chunk =>
                    context.CallActivityAsync<SampleBaseOutput>(
                        plan.Inpaint is null ? ActivityNames.SampleBase : ActivityNames.InpaintBase,
                        new SampleBaseInput(
                            plan.RunId, chunk, plan.ChunkStart(chunk), plan.ChunkLength(chunk), plan.Seed,
                            plan.GuidanceScale, plan.BaseSteps, text.Text)
                        {
                            Guidance = plan.Guidance,
                            Inpaint = plan.Inpaint,
                        },
                        _options)))).ConfigureAwait(true);
                Finished(StageNames.Base, chunks.Sum(c => c.Seconds));

                // Output k upsamples candidate k, or with reranking the k-th best.
                IReadOnlyList<KeptCandidate>? kept = null;
                if (plan.Rerank)
                {
                    Enter(StageNames.Rerank);
                    var rerank = await Guard(context.CallActivityAsync<RerankOutput>(
                        ActivityNames.Rerank,
                        new RerankInput(
                            plan.RunId, plan.Prompt, [.. chunks.Select(c => c.Chunk)],
                            [.. Enumerable.Range(0, plan.ChunkCount).Select(plan.ChunkLength)], plan.OutputCount),
                        _options)).ConfigureAwait(true);
                    Finished(StageNames.Rerank, rerank.Seconds);
                    if (rerank.Kept.Count != plan.OutputCount
                        || rerank.Kept.Any(k => k.Candidate < 0 || k.Candidate >= plan.Count))
                    {
                        throw new GenerationFailedException(
                            StageNames.Rerank,
                            $"the rerank stage returned [{string.Join(", ", rerank.Kept.Select(k => k.Candidate))}] " +
                            $"but {plan.OutputCount} of the candidates 0 … {plan.Count - 1} were to be kept");
                    }

                    kept = rerank.Kept;
                }

                Enter(StageNames.Upsample);
                var upsampled = await Guard(Task.WhenAll(Enumerable.Range(0, plan.OutputCount)
                    .Select(index => UpsampleAsync(index, kept?[index], chunks, text.Text))))
                    .ConfigureAwait(true);
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

        /// <summary>
        /// Upsamples the candidate the rerank stage kept at <paramref name="index"/> (<paramref name="kept"/>), or
        /// without reranking candidate <paramref name="index"/>, as output <paramref name="index"/>.
        /// </summary>
        private async Task<UpsampleOutput> UpsampleAsync(
            int index, KeptCandidate? kept, SampleBaseOutput[] chunks, TextBlobs text)
        {
            var candidate = kept?.Candidate ?? index;
            var chunk = candidate / plan.ChunkSize;
            var output = await context.CallActivityAsync<UpsampleOutput>(
                plan.Inpaint is null ? ActivityNames.Upsample : ActivityNames.InpaintUpsample,
                new UpsampleInput(
                    plan.RunId, index, plan.SeedOf(candidate), chunks[chunk].Chunk, candidate - plan.ChunkStart(chunk),
                    plan.ChunkLength(chunk), plan.UpsampleSteps, plan.UpsampleTemperature, text)
                {
                    Inpaint = plan.Inpaint,
                    Sampler = plan.UpsampleSampler,
                },
                _options).ConfigureAwait(true);

            // Orchestrator code runs on one thread; this continuation runs when the history says the activity ended.
            if (!_status.Status.IsTerminal())
            {
                _images.Add(new GenerationImage(output.Index, output.Seed, output.Image)
                {
                    Candidate = candidate,
                    ClipScore = kept?.Score,
                });
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
