using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Queues;

namespace GlideFunctions.Bulk;

/// <summary>
/// Waits for every enqueued generation to end, saves its images, and prints one line per generation and the totals.
/// </summary>
/// <remarks>
/// A generation the API does not know yet is still queued (or was refused): while some are, the poison queue is
/// peeked for records of this run's messages, so a refused message is reported at once rather than at the timeout.
/// A peek sees the queue's first 32 messages only; one behind an older backlog shows up as not started.
/// </remarks>
internal sealed class BulkRunner
{
    private const int Parallelism = 8;
    private const int PeekLimit = 32;

    private static readonly TimeSpan FirstPollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(30);

    // Fields whose value the service echoes in "input" unchanged (steps trimmed): a difference means the id was
    // first used for another body.
    private static readonly string[] ComparedFields =
    [
        "prompt", "negative_prompt", "num_candidates", "num_outputs", "guidance_scale", "guidance_mode", "base_steps",
        "upsample_steps", "upsample_sampler", "seed", "rerank", "invert_mask", "keep_top_rows",
    ];

    private readonly BulkSettings _settings;
    private readonly GenerationStatusClient _status;
    private readonly QueueClient _poison;
    private readonly TextWriter _output;
    private readonly TextWriter _error;

    /// <param name="settings">The checked command line.</param>
    /// <param name="status">The API client.</param>
    /// <param name="poison">The poison queue, read raw (no message encoding): records are decoded one by one.</param>
    /// <param name="output">Where the per-generation lines and the totals go.</param>
    /// <param name="error">Where progress goes.</param>
    public BulkRunner(
        BulkSettings settings, GenerationStatusClient status, QueueClient poison, TextWriter output, TextWriter error)
    {
        _settings = settings;
        _status = status;
        _poison = poison;
        _output = output;
        _error = error;
    }

    public async Task<int> WaitAndCollectAsync(
        IReadOnlyList<BulkRequest> requests, IReadOnlyDictionary<string, string> messageIds, CancellationToken cancellationToken)
    {
        var items = requests.Select(r => new Tracked(r, messageIds.GetValueOrDefault(r.Id))).ToList();
        var clock = Stopwatch.StartNew();
        var pending = items.ToList();
        var interval = FirstPollInterval;
        var lastProgress = string.Empty;
        var lastProgressAt = TimeSpan.Zero;
        try
        {
            while (true)
            {
                var replies = new StatusReply[pending.Count];
                await Parallel.ForEachAsync(
                        Enumerable.Range(0, pending.Count),
                        new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                        async (i, token) => replies[i] = await _status.GetAsync(pending[i].Request.Id, token).ConfigureAwait(false))
                    .ConfigureAwait(false);

                TimeSpan? retryAfter = null;
                for (var i = 0; i < pending.Count; i++)
                {
                    var (item, reply) = (pending[i], replies[i]);
                    if (reply.RetryAfter is { } wait && (retryAfter is null || wait > retryAfter))
                    {
                        retryAfter = wait;
                    }

                    item.Problem = reply.Problem;
                    if (reply.Generation is { } generation)
                    {
                        item.Generation = generation;
                        item.State = State.Running;
                        if (generation.IsTerminal)
                        {
                            await FinishAsync(item, generation, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                pending.RemoveAll(item => item.IsDone);
                if (pending.Any(item => item.State == State.Queued))
                {
                    await CheckPoisonQueueAsync(pending, cancellationToken).ConfigureAwait(false);
                    pending.RemoveAll(item => item.IsDone);
                }

                if (pending.Count == 0)
                {
                    break;
                }

                var progress = Progress(items);
                if (progress != lastProgress || clock.Elapsed - lastProgressAt >= ProgressEvery)
                {
                    await _error.WriteLineAsync($"{progress} ({Durations.Format(clock.Elapsed)} elapsed)").ConfigureAwait(false);
                    (lastProgress, lastProgressAt) = (progress, clock.Elapsed);
                }

                var remaining = _settings.Timeout - clock.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    foreach (var item in pending)
                    {
                        await PrintAsync(item, TimedOut(item)).ConfigureAwait(false);
                    }

                    break;
                }

                var delay = retryAfter is { } asked && asked > interval ? (asked > MaxRetryAfter ? MaxRetryAfter : asked) : interval;
                await Task.Delay(delay < remaining ? delay : remaining, cancellationToken).ConfigureAwait(false);
                interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * 1.5), _settings.MaxPollInterval.Ticks));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var open = items.Count(item => !item.IsDone);
            await _error.WriteLineAsync(
                    $"glide-bulk: canceled with {open} generation(s) not collected; they keep running on the service. " +
                    "Run the same command again to collect them: it names the same generations, so none starts twice.")
                .ConfigureAwait(false);
            return ExitCodes.Canceled;
        }

        await PrintTotalsAsync(items).ConfigureAwait(false);
        return items.All(item => item.State == State.Succeeded) ? ExitCodes.Success : ExitCodes.Failed;
    }

    private async Task FinishAsync(Tracked item, RemoteGeneration generation, CancellationToken cancellationToken)
    {
        var differences = Differences(item.Request.Body, generation.Input);
        if (differences.Count > 0)
        {
            item.State = State.Conflict;
            await PrintAsync(item, $"id {item.Request.Id} already names a generation with another input " +
                                   $"({string.Join(", ", differences)} differ); nothing downloaded: use another --run-id")
                .ConfigureAwait(false);
            return;
        }

        var saved = new List<string>();
        try
        {
            for (var k = 0; k < generation.Output.Count; k++)
            {
                var path = Path.Combine(
                    _settings.OutputDirectory, string.Create(CultureInfo.InvariantCulture, $"{item.Request.Id}-{k}.png"));
                await _status.DownloadAsync(generation.Output[k].Url, path, cancellationToken).ConfigureAwait(false);
                saved.Add(path);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException
                                      || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            item.Images = saved.Count;
            item.State = State.Failed;
            await PrintAsync(item, $"{generation.Status}, but image {saved.Count} could not be saved: {e.Message}")
                .ConfigureAwait(false);
            return;
        }

        item.Images = saved.Count;
        item.State = generation.Status switch
        {
            RemoteGeneration.Succeeded => State.Succeeded,
            RemoteGeneration.Canceled => State.Canceled,
            _ => State.Failed,
        };
        var detail = item.State switch
        {
            State.Succeeded => string.Create(
                CultureInfo.InvariantCulture,
                $"{saved.Count} image(s){(generation.Metrics?.PredictTime is { } seconds ? $" in {seconds:0.0}s" : string.Empty)}"),
            State.Canceled => "canceled on the service",
            _ => generation.Error is { } error ? $"{error.Stage}: {error.Message}" : "failed (no reason given)",
        };
        await PrintAsync(item, $"{detail}  \"{Excerpt(item.Request.Prompt)}\"").ConfigureAwait(false);
    }

    /// <summary>Marks the queued items whose messages the service refused (or the runtime gave up on).</summary>
    private async Task CheckPoisonQueueAsync(List<Tracked> pending, CancellationToken cancellationToken)
    {
        Azure.Storage.Queues.Models.PeekedMessage[] peeked;
        try
        {
            peeked = (await _poison.PeekMessagesAsync(PeekLimit, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException)
        {
            // No poison queue yet, or storage unavailable for a moment: the check is a courtesy, the API decides.
            return;
        }

        var queued = pending.Where(item => item.State == State.Queued).ToList();
        foreach (var message in peeked)
        {
            var body = Decode(message.Body);
            JsonObject? json;
            try
            {
                json = JsonNode.Parse(body) as JsonObject;
            }
            catch (JsonException)
            {
                continue;
            }

            if (json is null)
            {
                continue;
            }

            if (Text(json["reason"]) is { } reason && Text(json["message_id"]) is { } messageId)
            {
                // A record of the service's: it names the storage message it refused.
                var match = queued.FirstOrDefault(item => item.MessageId == messageId);
                if (match is not null && !match.IsDone)
                {
                    match.State = State.Refused;
                    await PrintAsync(match, $"refused by the service: {reason}").ConfigureAwait(false);
                }
            }
            else
            {
                // A body the runtime moved after its retries ran out: the same bytes this run sent.
                var match = queued.FirstOrDefault(item => !item.IsDone && body.AsSpan().SequenceEqual(item.Request.Message));
                if (match is not null)
                {
                    match.State = State.Refused;
                    await PrintAsync(match, $"the service failed on the message repeatedly and moved it to {_poison.Name}; " +
                                            "see the function app's logs").ConfigureAwait(false);
                }
            }
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static byte[] Decode(BinaryData text)
    {
        try
        {
            return Convert.FromBase64String(text.ToString());
        }
        catch (FormatException)
        {
            return text.ToArray();
        }
    }

    private static List<string> Differences(JsonObject sent, JsonObject? echoed)
    {
        if (echoed is null)
        {
            return [];
        }

        var differences = new List<string>();
        foreach (var field in ComparedFields)
        {
            if (sent[field] is not JsonValue mine)
            {
                continue;
            }

            var theirs = echoed[field] as JsonValue;
            var same = theirs is not null && (mine.GetValueKind(), theirs.GetValueKind()) switch
            {
                (JsonValueKind.String, JsonValueKind.String) => field.EndsWith("_steps", StringComparison.Ordinal)
                    ? mine.GetValue<string>().Trim() == theirs.GetValue<string>().Trim()
                    : mine.GetValue<string>() == theirs.GetValue<string>(),
                (JsonValueKind.Number, JsonValueKind.Number) => BodyFields.Number(mine) == BodyFields.Number(theirs),
                var (a, b) => a == b && a is JsonValueKind.True or JsonValueKind.False,
            };
            if (!same)
            {
                differences.Add(field);
            }
        }

        return differences;
    }

    private Task PrintAsync(Tracked item, string detail) =>
        _output.WriteLineAsync($"{Label(item.State),-10} {item.Request.Id}  {detail}");

    private static string TimedOut(Tracked item)
    {
        item.State = State.TimedOut;
        return item.Generation is { } generation
            ? $"not finished in time: {generation.Status}" +
              (generation.Progress is { } p ? $" ({p.Stage} {p.Step}/{p.Of})" : string.Empty)
            : "not started in time: the service has not picked the message up" +
              (item.Problem is { } problem ? $" (last answer: {problem})" : string.Empty);
    }

    private async Task PrintTotalsAsync(List<Tracked> items)
    {
        int Count(State state) => items.Count(item => item.State == state);
        await _output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{items.Count} generation(s): {Count(State.Succeeded)} succeeded, {Count(State.Failed)} failed, " +
                $"{Count(State.Canceled)} canceled, {Count(State.Refused) + Count(State.Conflict)} refused, " +
                $"{Count(State.TimedOut)} not finished; {items.Sum(item => item.Images)} image(s) in " +
                $"{_settings.OutputDirectory}"))
            .ConfigureAwait(false);
    }

    private static string Progress(List<Tracked> items)
    {
        var queued = items.Count(item => item.State == State.Queued);
        var running = items.Count(item => item.State == State.Running);
        var done = items.Count - queued - running;
        return $"waiting: {queued} queued, {running} running, {done} done";
    }

    private static string Label(State state) => state switch
    {
        State.Succeeded => "succeeded",
        State.Failed => "failed",
        State.Canceled => "canceled",
        State.Refused => "refused",
        State.Conflict => "conflict",
        State.TimedOut => "timed-out",
        _ => "pending",
    };

    private static string Excerpt(string prompt) =>
        prompt.Length <= 60 ? prompt : string.Concat(prompt.AsSpan(0, 57), "...");

    private enum State
    {
        Queued,
        Running,
        Succeeded,
        Failed,
        Canceled,
        Refused,
        Conflict,
        TimedOut,
    }

    private sealed class Tracked(BulkRequest request, string? messageId)
    {
        public BulkRequest Request { get; } = request;

        public string? MessageId { get; } = messageId;

        public State State { get; set; } = State.Queued;

        public RemoteGeneration? Generation { get; set; }

        public string? Problem { get; set; }

        public int Images { get; set; }

        public bool IsDone => State is not (State.Queued or State.Running);
    }
}
