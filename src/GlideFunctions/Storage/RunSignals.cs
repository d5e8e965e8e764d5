using System.Text.Json;

namespace GlideFunctions.Storage;

/// <summary>
/// What passes between the API and running activities outside the orchestration, as small JSON blobs next to the
/// run's tensors: step progress (activities write, the status endpoint reads) and the cancel request (the cancel
/// endpoint writes, activities poll). The orchestration history stays free of per-step chatter.
/// </summary>
public sealed class RunSignals
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly BlobTensorStore _store;

    public RunSignals(BlobTensorStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Records that the client cancelled <paramref name="runId"/>; idempotent.</summary>
    public Task RequestCancelAsync(string runId, DateTimeOffset requestedAt, CancellationToken cancellationToken) =>
        _store.WriteJsonAsync(
            RunBlobNames.CancelRequest(runId),
            BinaryData.FromObjectAsJson(new CancelRequest(requestedAt), Json),
            cancellationToken);

    public Task<bool> IsCancelRequestedAsync(string runId, CancellationToken cancellationToken) =>
        _store.ExistsAsync(RunBlobNames.CancelRequest(runId), cancellationToken);

    public Task WriteProgressAsync(string runId, StepProgressRecord progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return _store.WriteJsonAsync(
            RunBlobNames.Progress(runId, progress.Stage, progress.Part),
            BinaryData.FromObjectAsJson(progress, Json),
            cancellationToken);
    }

    /// <summary>Every progress record of <paramref name="runId"/>; a record that cannot be read is skipped.</summary>
    public async Task<IReadOnlyList<StepProgressRecord>> ReadProgressAsync(
        string runId, CancellationToken cancellationToken)
    {
        var names = await _store.ListAsync(RunBlobNames.ProgressPrefix(runId), cancellationToken).ConfigureAwait(false);
        var reads = names.Select(name => _store.TryReadJsonAsync(name, cancellationToken)).ToList();
        var records = new List<StepProgressRecord>(reads.Count);
        foreach (var read in reads)
        {
            var json = await read.ConfigureAwait(false);
            try
            {
                if (json?.ToObjectFromJson<StepProgressRecord>(Json) is { Stage: not null } record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                // A record is progress, not truth: a torn or foreign blob only means less detail in the status.
            }
        }

        return records;
    }

    private sealed record CancelRequest(DateTimeOffset RequestedAt);
}
