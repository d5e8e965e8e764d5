using Glide.Pipeline;
using GlideFunctions.Activities;
using GlideFunctions.Api;
using GlideFunctions.Options;
using GlideFunctions.Storage;
using GlideFunctions.Webhooks;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Orchestration;

/// <summary>
/// Starts a generation under a given id, at most once: the HTTP create (ids from <c>Idempotency-Key</c>s) and the
/// queue trigger (ids from message ids) both come through here, so a retried request or a re-delivered message finds
/// the run the first one started instead of starting another. An inpainting run's decoded source and mask are stored
/// here, just before its orchestration is scheduled.
/// </summary>
public sealed class GenerationLauncher
{
    private readonly GlideOptions _options;
    private readonly WebhookRetrySettings _webhookRetry;
    private readonly TimeProvider _time;
    private readonly BlobTensorStore _store;

    public GenerationLauncher(
        IOptions<GlideOptions> options, IOptions<WebhookOptions> webhooks, TimeProvider time, BlobTensorStore store)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(webhooks);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(store);
        _options = options.Value;
        _webhookRetry = WebhookRetrySettings.FromOptions(webhooks.Value);
        _time = time;
        _store = store;
    }

    /// <summary>The orchestration input for <paramref name="input"/> (whose seed must be filled) under <paramref name="id"/>.</summary>
    /// <param name="id">The generation id, also the instance id and the blob prefix.</param>
    /// <param name="input">The validated request, seed filled.</param>
    /// <param name="apiBaseUrl">Scheme and host the image URLs should use; the configured public base wins.</param>
    public GenerationPlan Plan(string id, GenerationInput input, string? apiBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(input);
        var baseUrl = string.IsNullOrEmpty(_options.PublicBaseUrl) ? apiBaseUrl : _options.PublicBaseUrl;
        var inputHash = IdempotencyKey.HashInput(input);
        GenerationPlan plan;
        if (input.IsInpaint)
        {
            var request = input.ToInpaintRequest();
            plan = new GenerationPlan(
                id, request.Prompt, request.NegativePrompt, request.Count, _options.ChunkSize, request.Seed,
                request.GuidanceScale, request.BaseSteps, request.UpsampleSteps, request.UpsampleTemperature)
            {
                Inpaint = InpaintBlobNames(id, inputHash),
            };
        }
        else
        {
            var request = input.ToGenerationRequest();
            plan = new GenerationPlan(
                id, request.Prompt, request.NegativePrompt, request.Count, _options.ChunkSize, request.Seed,
                request.GuidanceScale, request.BaseSteps, request.UpsampleSteps, request.UpsampleTemperature)
            {
                Guidance = request.Guidance,
                UpsampleSampler = request.UpsampleSampler,
            };
        }

        return plan with
        {
            Keep = input.NumOutputs,
            Rerank = input.Rerank,
            Input = input,
            InputHash = inputHash,
            CreatedAt = _time.GetUtcNow(),
            ImageUrlBase = baseUrl is null
                ? null
                : baseUrl.TrimEnd('/') + GenerationResourceBuilder.DefaultImageUrlBase(id),
            Retry = _options.ToActivityRetry(),
            Webhook = input.Webhook is null
                ? null
                : new GenerationWebhook(
                    input.Webhook, input.WebhookEventsFilter ?? GenerationInput.AllWebhookEvents, _webhookRetry),
        };
    }

    /// <summary>
    /// Where an inpainting run stores its source and mask: under a folder named by the input's hash, so a create
    /// that races another for the same id with other images never overwrites the inputs the other run reads.
    /// </summary>
    public static InpaintBlobs InpaintBlobNames(string id, string inputHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputHash);
        var tag = inputHash[..Math.Min(16, inputHash.Length)];
        return new(
            RunBlobNames.InpaintInput(id, tag, "image64"),
            RunBlobNames.InpaintInput(id, tag, "mask64"),
            RunBlobNames.InpaintInput(id, tag, "image256"));
    }

    /// <summary>
    /// Schedules <paramref name="plan"/> unless an instance with its id exists: then that one is returned, or a
    /// conflict when it was started for a different input. An inpainting plan's <paramref name="inpaint"/> inputs are
    /// written to its blobs first, and only when the run is new.
    /// </summary>
    public async Task<GenerationLaunch> LaunchAsync(
        DurableTaskClient client, GenerationPlan plan, CancellationToken cancellationToken, InpaintInputs? inpaint = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(plan);
        plan.Validate();
        if ((plan.Inpaint is null) != (inpaint is null))
        {
            throw new ArgumentException(
                "an inpainting plan needs its decoded source and mask, and only an inpainting plan takes them",
                nameof(inpaint));
        }

        var existing = await FindAsync(client, plan, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        if (plan.Inpaint is { } blobs)
        {
            // Stored before the orchestration exists, so its first stage always finds them; rewritten unchanged if a
            // retried create gets here again.
            var (image64, mask64, image256) = inpaint!.ToArrays();
            await Task.WhenAll(
                    _store.WriteAsync(blobs.Image64, image64, cancellationToken),
                    _store.WriteAsync(blobs.Mask64, mask64, cancellationToken),
                    _store.WriteAsync(blobs.Image256, image256, cancellationToken))
                .ConfigureAwait(false);
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                    nameof(GenerationOrchestrator), plan, new StartOrchestrationOptions(plan.RunId), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Two creates with the same id raced and the other scheduled first (the backends refuse a duplicate of a
            // pending or running instance): answer with that one. Anything else is a real failure.
            var raced = await FindAsync(client, plan, cancellationToken).ConfigureAwait(false);
            if (raced is null)
            {
                throw;
            }

            return raced;
        }

        return new GenerationLaunch(GenerationLaunchResult.Started, plan, Metadata: null);
    }

    private static async Task<GenerationLaunch?> FindAsync(
        DurableTaskClient client, GenerationPlan plan, CancellationToken cancellationToken)
    {
        var metadata = await client.GetInstanceAsync(plan.RunId, getInputsAndOutputs: true, cancellationToken)
            .ConfigureAwait(false);
        if (metadata is null)
        {
            return null;
        }

        var stored = metadata.ReadInputAs<GenerationPlan>();
        return stored is not null && string.Equals(stored.InputHash, plan.InputHash, StringComparison.Ordinal)
            ? new GenerationLaunch(GenerationLaunchResult.Existing, stored, metadata)
            : new GenerationLaunch(GenerationLaunchResult.Conflict, stored ?? plan, metadata);
    }
}

public enum GenerationLaunchResult
{
    /// <summary>Scheduled now.</summary>
    Started,

    /// <summary>Already started earlier with the same input.</summary>
    Existing,

    /// <summary>The id is taken by a generation with another input.</summary>
    Conflict,
}

/// <summary>What <see cref="GenerationLauncher.LaunchAsync"/> did, the plan in force, and the instance if it existed.</summary>
public sealed record GenerationLaunch(GenerationLaunchResult Result, GenerationPlan Plan, OrchestrationMetadata? Metadata);
