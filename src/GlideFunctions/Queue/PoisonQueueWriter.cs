using System.Text.Json;
using Azure.Storage.Queues;

namespace GlideFunctions.Queue;

/// <summary>
/// Sends <see cref="QueueRejection"/> records to the poison queue, creating the queue on first use. The client must
/// encode messages as base64 (<see cref="QueueClients.Options"/>), as the Functions runtime writes the messages it
/// moves there itself, so that one reader decodes both.
/// </summary>
public sealed class PoisonQueueWriter
{
    private readonly QueueClient _queue;
    private readonly Lock _gate = new();
    private Task? _created;

    public PoisonQueueWriter(QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        _queue = queue;
    }

    public string QueueName => _queue.Name;

    /// <summary>Sends <paramref name="rejection"/>; a storage failure throws, so the trigger retries the message.</summary>
    public async Task SendAsync(QueueRejection rejection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        await EnsureQueueAsync(cancellationToken).ConfigureAwait(false);

        // Never expire: a rejected message waits for a person, however long that takes.
        await _queue.SendMessageAsync(
                BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(rejection)),
                visibilityTimeout: null,
                timeToLive: TimeSpan.FromSeconds(-1),
                cancellationToken)
            .ConfigureAwait(false);
    }

    private Task EnsureQueueAsync(CancellationToken cancellationToken)
    {
        Task created;
        lock (_gate)
        {
            if (_created is null || _created.IsFaulted || _created.IsCanceled)
            {
                // Not the caller's token: one caller giving up must not fail the others waiting on the same task.
                _created = _queue.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
            }

            created = _created;
        }

        return created.WaitAsync(cancellationToken);
    }
}
