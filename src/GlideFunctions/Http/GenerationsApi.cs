using System.Globalization;
using GlideFunctions.Activities;
using GlideFunctions.Api;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace GlideFunctions.Http;

/// <summary>
/// <c>/api/v1/generations</c> (design §4): create, read and cancel generations and download their images. Each
/// generation is one <see cref="GenerationOrchestrator"/> instance whose instance id is the generation id; clients
/// only ever see these routes, never the Durable management URLs (they carry the system key).
/// </summary>
public sealed class GenerationsApi(
    GenerationLauncher launcher, RunSignals signals, BlobTensorStore store, GenerationParserOptions parserOptions,
    ModelCatalog models, TimeProvider time)
{
    /// <summary>Seconds a client should wait before polling a generation it was just handed.</summary>
    public const int RetryAfterSeconds = 2;

    private const string RoutePrefix = "/api/v1/generations/";

    [Function("CreateGeneration")]
    public async Task<IActionResult> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/generations")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var instance = request.Path.Value;
        if (!IdempotencyKey.TryParse(request.Headers[IdempotencyKey.HeaderName], out var key, out var keyError))
        {
            return ValidationProblem.Create([keyError], instance);
        }

        var body = await RequestBodyReader.ReadAsync(request.Body, parserOptions.MaxBodyBytes, cancellationToken)
            .ConfigureAwait(false);
        if (MultipartCreateBody.IsMultipart(request.ContentType))
        {
            var (json, formErrors) = await MultipartCreateBody
                .ToJsonAsync(request.ContentType, body, parserOptions, cancellationToken).ConfigureAwait(false);
            if (formErrors.Count > 0)
            {
                return ValidationProblem.Create(formErrors, instance);
            }

            body = json;
        }

        var parsed = GenerationRequestParser.Parse(body, parserOptions);
        if (!parsed.IsValid)
        {
            return ValidationProblem.Create(parsed.Errors, instance);
        }

        // What the model directory cannot run (rerank without CLIP, CLIP guidance without clip.grad, inpainting
        // without its models) is refused here rather than failing the generation at that stage.
        var unavailable = ModelRequirements.Check(parsed.Input, models);
        if (unavailable.Count > 0)
        {
            return ValidationProblem.Create(unavailable, instance);
        }

        // The model's upsample sampler is filled in here, so the input says what runs. Without a key the id and the
        // seed are random, drawn once here; the orchestrator only sees the results.
        var input = parsed.Input
            .WithUpsampleSamplerIfMissing(models.UpsampleSampler)
            .WithSeedIfMissing(key?.DeriveSeed() ?? GenerationSeeds.Random());
        var id = key is null ? GenerationIds.New() : GenerationIds.FromIdempotencyKey(key);
        var plan = launcher.Plan(id, input, $"{request.Scheme}://{request.Host}{request.PathBase}");
        var launch = await launcher.LaunchAsync(client, plan, cancellationToken, parsed.Inpaint).ConfigureAwait(false);
        return launch.Result switch
        {
            GenerationLaunchResult.Conflict => ConflictProblem.IdempotencyKeyReused(instance),
            GenerationLaunchResult.Existing => Accepted(
                request, await ReadAsync(client, launch.Metadata!, launch.Plan, cancellationToken).ConfigureAwait(false)),
            _ => Accepted(request, GenerationResourceBuilder.Build(launch.Plan, status: null, progress: [])),
        };
    }

    [Function("GetGeneration")]
    public async Task<IActionResult> GetAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/generations/{id}")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var found = await FindAsync(client, id, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return NotFoundProblem.Create(id ?? string.Empty, request.Path.Value);
        }

        var resource = await ReadAsync(client, found.Value.Metadata, found.Value.Plan, cancellationToken).ConfigureAwait(false);
        if (!resource.Status.IsTerminal())
        {
            request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return new OkObjectResult(resource);
    }

    /// <summary>
    /// Cancels a generation that is still starting or processing: records the cancel request (running activities
    /// stop at their next step) and tells the orchestration, which ends as <c>canceled</c>. A finished generation is
    /// answered as it is.
    /// </summary>
    [Function("CancelGeneration")]
    public async Task<IActionResult> CancelAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/generations/{id}/cancel")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var found = await FindAsync(client, id, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return NotFoundProblem.Create(id ?? string.Empty, request.Path.Value);
        }

        var (metadata, plan) = found.Value;
        var resource = await ReadAsync(client, metadata, plan, cancellationToken).ConfigureAwait(false);
        if (resource.Status.IsTerminal())
        {
            return new OkObjectResult(resource);
        }

        await signals.RequestCancelAsync(plan.RunId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await client.RaiseEventAsync(plan.RunId, GenerationEvents.Cancel, "canceled by the client", cancellationToken)
            .ConfigureAwait(false);
        return Accepted(request, resource);
    }

    /// <summary>Output image <paramref name="index"/> of a generation as <c>image/png</c>.</summary>
    [Function("GetGenerationImage")]
    public async Task<IActionResult> GetImageAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/generations/{id}/images/{index}")]
        HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        string index,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var found = await FindAsync(client, id, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return NotFoundProblem.Create(id ?? string.Empty, request.Path.Value);
        }

        // Only the stored outputs matter here: no progress records, no webhook delivery lookups per download.
        var outputs = GenerationsResourceMapper.ToResource(found.Value.Metadata, found.Value.Plan, progress: []).Output;
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k >= outputs.Count)
        {
            return NotFoundProblem.Create($"{id}/images/{index}", request.Path.Value);
        }

        var stream = await store.OpenReadAsync(RunBlobNames.Image(found.Value.Plan.RunId, k), cancellationToken)
            .ConfigureAwait(false);
        return new FileStreamResult(stream, BlobTensorStore.PngContentType)
        {
            FileDownloadName = $"{found.Value.Plan.RunId}-{k}.png",
        };
    }

    private static async Task<(OrchestrationMetadata Metadata, GenerationPlan Plan)?> FindAsync(
        DurableTaskClient client, string? id, CancellationToken cancellationToken)
    {
        if (!GenerationIds.IsValid(id))
        {
            return null;
        }

        var metadata = await client.GetInstanceAsync(id!, getInputsAndOutputs: true, cancellationToken)
            .ConfigureAwait(false);
        var plan = metadata?.ReadInputAs<GenerationPlan>();
        return metadata is null || plan is null ? null : (metadata, plan);
    }

    private async Task<GenerationResource> ReadAsync(
        DurableTaskClient client, OrchestrationMetadata metadata, GenerationPlan plan,
        CancellationToken cancellationToken)
    {
        var running = metadata.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending;
        var progress = running
            ? await signals.ReadProgressAsync(plan.RunId, cancellationToken).ConfigureAwait(false)
            : [];
        var resource = GenerationsResourceMapper.ToResource(metadata, plan, progress);
        return plan.Webhook is null
            ? resource
            : resource with
            {
                WebhookDeliveries = await ReadDeliveriesAsync(client, metadata, cancellationToken).ConfigureAwait(false),
            };
    }

    /// <summary>
    /// Each webhook delivery the generation started, from its own sub-orchestration: the final record once it ended,
    /// the record so far (its custom status) while it retries, or an empty pending record before its first attempt.
    /// </summary>
    private static async Task<IReadOnlyList<WebhookDeliveryResource>> ReadDeliveriesAsync(
        DurableTaskClient client, OrchestrationMetadata metadata, CancellationToken cancellationToken)
    {
        var references = GenerationsResourceMapper.ReadStatus(metadata)?.Webhooks ?? [];
        var reads = references.Select(async reference =>
        {
            var delivery = await client
                .GetInstanceAsync(reference.WebhookId, getInputsAndOutputs: true, cancellationToken)
                .ConfigureAwait(false);
            var record = delivery?.RuntimeStatus == OrchestrationRuntimeStatus.Completed
                ? delivery.ReadOutputAs<WebhookDeliveryResource>()
                : delivery?.ReadCustomStatusAs<WebhookDeliveryResource>();
            return record ?? new WebhookDeliveryResource
            {
                Event = reference.Event,
                WebhookId = reference.WebhookId,
                Status = delivery?.RuntimeStatus == OrchestrationRuntimeStatus.Failed
                    ? WebhookDeliveryOutcome.Failed
                    : WebhookDeliveryOutcome.Pending,
                LastError = delivery?.FailureDetails?.ErrorMessage,
            };
        });
        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    private static AcceptedResult Accepted(HttpRequest request, GenerationResource resource)
    {
        request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return new AcceptedResult(RoutePrefix + resource.Id, resource);
    }
}
