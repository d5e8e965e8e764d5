using Azure.Storage.Queues;

namespace GlideFunctions.Bulk;

/// <summary>Sends the requests to the service's queue, one message per generation.</summary>
internal static class RequestEnqueuer
{
    private const int Parallelism = 8;

    /// <summary>
    /// A client for <paramref name="queue"/> that base64-encodes message text, as the Functions queue trigger
    /// expects by default (its <c>messageEncoding</c>).
    /// </summary>
    /// <exception cref="BulkInputException">The connection string is malformed.</exception>
    public static QueueClient CreateClient(string connectionString, string queue)
    {
        try
        {
            return new QueueClient(connectionString, queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new BulkInputException($"--connection is not a usable storage connection string: {e.Message}", e);
        }
    }

    /// <summary>
    /// Creates the queue if needed and sends every request; returns the storage message id of each, by generation
    /// id. Sending the same requests again is harmless: the service maps each id to one generation.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> EnqueueAsync(
        QueueClient queue, IReadOnlyList<BulkRequest> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(requests);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var messageIds = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
                requests,
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (request, token) =>
                {
                    var receipt = await queue.SendMessageAsync(BinaryData.FromBytes(request.Message), cancellationToken: token)
                        .ConfigureAwait(false);
                    messageIds[request.Id] = receipt.Value.MessageId;
                })
            .ConfigureAwait(false);
        return messageIds;
    }
}
