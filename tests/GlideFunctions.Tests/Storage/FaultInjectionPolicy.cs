using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace GlideFunctions.Tests.Storage;

/// <summary>
/// A storage pipeline policy that fails uploads of blobs whose name ends with <see cref="BlobSuffix"/>: the first
/// <see cref="Failures"/> of them (or all, for a permanent fault), before they reach the service. Counts every
/// upload attempt of those blobs, so a test can tell a retry from a duplicate.
/// </summary>
internal sealed class FaultInjectionPolicy(string blobSuffix, int failures) : HttpPipelinePolicy
{
    public const int Always = int.MaxValue;

    private int _attempts;

    public string BlobSuffix { get; } = blobSuffix;

    public int Failures { get; } = failures;

    /// <summary>Upload attempts of matching blobs so far, failed ones included.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>A container client in Azurite with this policy and no SDK-level retries (so a fault reaches the activity).</summary>
    public BlobContainerClient Container(string connectionString, string name)
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        return new BlobContainerClient(connectionString, name, options);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Inject(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Inject(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Inject(HttpMessage message)
    {
        if (message.Request.Method != RequestMethod.Put
            || !message.Request.Uri.Path.EndsWith(BlobSuffix, StringComparison.Ordinal))
        {
            return;
        }

        if (Interlocked.Increment(ref _attempts) <= Failures)
        {
            throw new RequestFailedException(503, $"injected fault: upload of *{BlobSuffix} refused");
        }
    }
}
