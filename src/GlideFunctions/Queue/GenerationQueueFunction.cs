using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace GlideFunctions.Queue;

/// <summary>
/// The bulk request queue's trigger: binds the message (already base64-decoded by the queue extension, whose default
/// <c>messageEncoding</c> is base64) and the Durable client, and hands both to <see cref="GenerationQueueProcessor"/>.
/// </summary>
/// <remarks>
/// Returning normally deletes the message; throwing makes it visible again for a retry, and after the host's
/// <c>extensions.queues.maxDequeueCount</c> attempts (default 5) the runtime moves it to <c>{queue}-poison</c>.
/// </remarks>
public sealed class GenerationQueueFunction(GenerationQueueProcessor processor)
{
    public const string FunctionName = "ProcessGenerationRequest";

    [Function(FunctionName)]
    public Task RunAsync(
        [QueueTrigger(QueueOptions.RequestsQueueExpression, Connection = QueueOptions.ConnectionName)] QueueMessage message,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        processor.ProcessAsync(client, message, cancellationToken);
}
