using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Azure.Storage.Queues.Models;
using GlideFunctions.Activities;
using GlideFunctions.Api;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using GlideFunctions.Webhooks;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Queue;

/// <summary>
/// One bulk request (design §4): a <c>glide-requests</c> message holding a create body, as for
/// <c>POST /api/v1/generations</c>, plus an optional client <c>id</c>, becomes at most one generation.
/// </summary>
/// <remarks>
/// <para>
/// Queue delivery is at least once, so everything that decides the generation follows from the message alone: its id
/// is the client's <c>id</c>, or else derived from the storage message id (<see cref="QueueGenerationIds"/>); a
/// missing seed is derived from that id (<see cref="GenerationSeeds.FromId"/>). A re-delivered message therefore has
/// the same id and input hash, and <see cref="GenerationLauncher"/> answers with the run the first delivery started.
/// </para>
/// <para>
/// A message that no retry can fix (not JSON, an invalid field, a bad id, an id reused for another body, a rerank, CLIP
/// guidance or inpainting the model directory has no graphs for) is recorded
/// with its reason in <see cref="QueueOptions.PoisonQueue"/> and then completes normally, so the runtime deletes it at
/// once instead of retrying it <c>maxDequeueCount</c> times. Everything else (storage or Durable failures) throws:
/// the runtime retries the message and, after <c>maxDequeueCount</c> attempts, moves it unchanged to
/// <c>{queue}-poison</c> itself, without a reason.
/// </para>
/// </remarks>
public sealed partial class GenerationQueueProcessor
{
    private readonly GenerationLauncher _launcher;
    private readonly PoisonQueueWriter _poison;
    private readonly string _queueName;
    private readonly GenerationParserOptions _parserOptions;
    private readonly ModelCatalog _models;
    private readonly TimeProvider _time;
    private readonly ILogger<GenerationQueueProcessor> _logger;

    public GenerationQueueProcessor(
        GenerationLauncher launcher,
        PoisonQueueWriter poison,
        IOptions<QueueOptions> options,
        IOptions<WebhookOptions> webhooks,
        ModelCatalog models,
        TimeProvider time,
        ILogger<GenerationQueueProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        ArgumentNullException.ThrowIfNull(poison);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(webhooks);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _launcher = launcher;
        _poison = poison;
        _queueName = options.Value.RequestsQueue;

        // The same webhook rules as the HTTP create: no webhook is accepted that would never be signed and sent.
        _parserOptions = GenerationParserOptions.Queue.WithWebhookOptions(webhooks.Value);
        _models = models;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Starts the generation <paramref name="message"/> asks for, or finds the one it already started, or records why
    /// it cannot be started. Returns normally in all three cases (the message is done with); throws only for failures
    /// a retry may fix.
    /// </summary>
    /// <param name="client">The Durable client of the trigger.</param>
    /// <param name="message">As the trigger binds it: <see cref="QueueMessage.Body"/> is already base64-decoded.</param>
    /// <param name="cancellationToken">The invocation's token.</param>
    public async Task<QueueMessageOutcome> ProcessAsync(
        DurableTaskClient client, QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(message);
        var receivedAt = _time.GetUtcNow();
        var body = message.Body ?? BinaryData.Empty;
        var parsed = GenerationRequestParser.Parse(body.ToMemory(), _parserOptions);
        if (!parsed.IsValid)
        {
            return await RejectAsync(
                    message, body, receivedAt, QueueRejection.InvalidKind, parsed.Errors, ReadClientId(body), cancellationToken)
                .ConfigureAwait(false);
        }

        var id = parsed.ClientId ?? QueueGenerationIds.FromMessageId(message.MessageId);

        // The parser checks the id's characters; run blob names also need it to start with a letter or digit.
        if (!RunBlobNames.IsValidRunId(id))
        {
            FieldError[] errors =
            [
                new(GenerationFields.Id, $"id must start with an ASCII letter or digit, got {Texts.Quote(id)}"),
            ];
            return await RejectAsync(message, body, receivedAt, QueueRejection.InvalidKind, errors, null, cancellationToken)
                .ConfigureAwait(false);
        }

        // A model directory without the graphs a message asks for will not grow them on a retry: poison at once.
        var unavailable = ModelRequirements.Check(parsed.Input, _models);
        if (unavailable.Count > 0)
        {
            return await RejectAsync(message, body, receivedAt, QueueRejection.InvalidKind, unavailable, id, cancellationToken)
                .ConfigureAwait(false);
        }

        var input = parsed.Input
            .WithUpsampleSamplerIfMissing(_models.UpsampleSampler)
            .WithSeedIfMissing(GenerationSeeds.FromId(id));
        GenerationPlan plan;
        try
        {
            plan = _launcher.Plan(id, input, apiBaseUrl: null);
            plan.Validate();
        }
        catch (ArgumentException e)
        {
            // The parser should have caught it; whatever it was, the same body fails the same way on every retry.
            FieldError[] errors = [new(FieldError.Body, e.Message)];
            return await RejectAsync(message, body, receivedAt, QueueRejection.InvalidKind, errors, id, cancellationToken)
                .ConfigureAwait(false);
        }

        var launch = await _launcher.LaunchAsync(client, plan, cancellationToken, parsed.Inpaint).ConfigureAwait(false);
        switch (launch.Result)
        {
            case GenerationLaunchResult.Started:
                LogStarted(_logger, message.MessageId, message.DequeueCount, id);
                return new(QueueMessageResult.Started, id, null);
            case GenerationLaunchResult.Existing:
                LogExisting(_logger, message.MessageId, message.DequeueCount, id);
                return new(QueueMessageResult.Existing, id, null);
            default:
                FieldError[] errors =
                [
                    new(GenerationFields.Id, $"id {Texts.Quote(id)} already names a generation with a different " +
                        "input; send this body under a new id (or the original body to get that generation)"),
                ];
                return await RejectAsync(message, body, receivedAt, QueueRejection.ConflictKind, errors, id, cancellationToken)
                    .ConfigureAwait(false);
        }
    }

    private async Task<QueueMessageOutcome> RejectAsync(
        QueueMessage message, BinaryData body, DateTimeOffset receivedAt, string kind, IReadOnlyList<FieldError> errors,
        string? generationId, CancellationToken cancellationToken)
    {
        var bytes = body.ToMemory();
        var isText = Utf8.IsValid(bytes.Span);
        var rejection = new QueueRejection
        {
            Kind = kind,
            Reason = string.Join("; ", errors.Select(e => e.Message)),
            Errors = [.. errors.Select(e => new QueueRejectionError(e.Field, e.Message))],
            GenerationId = generationId,
            Queue = _queueName,
            MessageId = message.MessageId,
            DequeueCount = message.DequeueCount,
            InsertedAt = message.InsertedOn,
            ReceivedAt = receivedAt,
            Body = isText ? Encoding.UTF8.GetString(bytes.Span) : Convert.ToBase64String(bytes.Span),
            BodyEncoding = isText ? QueueRejection.TextEncoding : QueueRejection.Base64Encoding,
        };

        // Send first: if this fails the message is retried, and it is never dropped without its record.
        await _poison.SendAsync(rejection, cancellationToken).ConfigureAwait(false);

        // The reason names fields and quotes ids and unknown field names, never the prompt, so Warning is safe.
        LogRejected(
            _logger, message.MessageId, message.DequeueCount, kind, string.Join(",", errors.Select(e => e.Field).Distinct()),
            rejection.Reason, _poison.QueueName);
        return new(
            kind == QueueRejection.ConflictKind ? QueueMessageResult.Conflict : QueueMessageResult.Invalid,
            generationId,
            rejection);
    }

    /// <summary>
    /// The body's <c>id</c> when it is readable and valid although the body is not, so the poison record names the
    /// generation the client will look for.
    /// </summary>
    private static string? ReadClientId(BinaryData body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToMemory());
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty(GenerationFields.Id, out var id)
                   && id.ValueKind == JsonValueKind.String
                   && RunBlobNames.IsValidRunId(id.GetString())
                ? id.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue message {MessageId} (delivery {DequeueCount}) started generation {GenerationId}")]
    private static partial void LogStarted(ILogger logger, string messageId, long dequeueCount, string generationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue message {MessageId} (delivery {DequeueCount}) names generation {GenerationId}, which already exists with the same input: nothing to start")]
    private static partial void LogExisting(ILogger logger, string messageId, long dequeueCount, string generationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue message {MessageId} (delivery {DequeueCount}) rejected as {Kind} ({Fields}): {Reason}. Recorded in queue {PoisonQueue} and removed")]
    private static partial void LogRejected(
        ILogger logger, string messageId, long dequeueCount, string kind, string fields, string reason, string poisonQueue);
}
