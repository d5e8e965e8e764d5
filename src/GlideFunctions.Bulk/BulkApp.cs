using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Queues;

namespace GlideFunctions.Bulk;

/// <summary>
/// <c>glide-bulk</c>: enqueue one generation per prompt on the service's request queue, wait for all of them, and
/// save their images. Running the same command again names the same generations (ids derive from the file), so it
/// starts nothing twice and collects what the first run left.
/// </summary>
internal static partial class BulkApp
{
    public const string DefaultQueue = "glide-requests";

    /// <param name="args">The command line.</param>
    /// <param name="output">Per-generation lines and totals.</param>
    /// <param name="error">Progress and errors.</param>
    /// <param name="handler">The HTTP handler for the API (tests); null for a real network client.</param>
    /// <param name="cancellationToken">Cancels as Ctrl+C does.</param>
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        var prompts = new Option<string>("--prompts")
        {
            Description = "Prompts file: one prompt per line, or (.jsonl) one create body per line. Blank lines and # comments are skipped.",
            Required = true,
        };
        var connection = new Option<string?>("--connection")
        {
            Description = "Storage connection string of the request queue (default: $AzureWebJobsStorage, else UseDevelopmentStorage=true).",
        };
        var queue = new Option<string>("--queue") { Description = "The service's request queue.", DefaultValueFactory = _ => DefaultQueue };
        var poisonQueue = new Option<string?>("--poison-queue") { Description = "Where the service records refused messages (default: <queue>-poison)." };
        var api = new Option<string>("--api") { Description = "Base URL of the service's HTTP API.", DefaultValueFactory = _ => "http://localhost:7071" };
        var key = new Option<string?>("--key") { Description = "Function key for the API (sent as x-functions-key)." };
        var outputDir = new Option<string>("--output-dir") { Description = "Folder for the images, <id>-<k>.png (created if missing).", DefaultValueFactory = _ => "out" };
        var runId = new Option<string?>("--run-id") { Description = "Prefix of the generation ids, <run-id>-<n> (default: bulk- and a hash of the file and --set values)." };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for the whole batch: 90s, 30m, 2h, 1h30m.", DefaultValueFactory = _ => "30m" };
        var set = new Option<string[]>("--set")
        {
            Description = "name=value for a create-body field, for every line that leaves it out (e.g. --set num_outputs=1 --set base_steps=50).",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var root = new RootCommand("Bulk GLIDE generation through the service's request queue: enqueue, wait, download.")
        {
            prompts, connection, queue, poisonQueue, api, key, outputDir, runId, timeout, set,
        };
        root.SetAction(async (parseResult, token) =>
        {
            BulkSettings settings;
            try
            {
                settings = Settings(
                    parseResult.GetValue(prompts)!,
                    parseResult.GetValue(connection),
                    parseResult.GetValue(queue)!,
                    parseResult.GetValue(poisonQueue),
                    parseResult.GetValue(api)!,
                    parseResult.GetValue(key),
                    parseResult.GetValue(outputDir)!,
                    parseResult.GetValue(runId),
                    parseResult.GetValue(timeout)!,
                    parseResult.GetValue(set) ?? []);
            }
            catch (BulkInputException e)
            {
                await error.WriteLineAsync($"glide-bulk: {e.Message}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            return await ExecuteAsync(settings, output, error, handler, token).ConfigureAwait(false);
        });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"glide-bulk: {parseError.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'glide-bulk --help' for usage.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Runs a checked command: read and check the file, enqueue, wait, download, report.</summary>
    public static async Task<int> ExecuteAsync(
        BulkSettings settings, TextWriter output, TextWriter error, HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        using var http = handler is null
            ? new HttpClient { Timeout = TimeSpan.FromSeconds(100) }
            : new HttpClient(handler, disposeHandler: false);
        try
        {
            var content = await ReadFileAsync(settings.PromptsPath, cancellationToken).ConfigureAwait(false);
            var defaults = Defaults(settings.Settings);
            var runId = settings.RunId ?? PromptFile.DefaultRunId(content, settings.Settings);
            var requests = PromptFile.Read(settings.PromptsPath, content, runId, defaults);
            CreateOutputDirectory(settings.OutputDirectory);

            // Ask the API once before sending anything: a refused key stops the run with nothing enqueued. An API
            // that does not answer yet is only reported; the function app may still be starting.
            var status = new GenerationStatusClient(http, settings.Api, settings.Key);
            if ((await status.GetAsync(requests[0].Id, cancellationToken).ConfigureAwait(false)).Problem is { } problem)
            {
                await error.WriteLineAsync($"glide-bulk: warning: {problem}; enqueuing anyway and polling until --timeout")
                    .ConfigureAwait(false);
            }

            var queue = RequestEnqueuer.CreateClient(settings.ConnectionString, settings.Queue);
            var poison = new QueueClient(settings.ConnectionString, settings.PoisonQueue);
            IReadOnlyDictionary<string, string> messageIds;
            try
            {
                messageIds = await RequestEnqueuer.EnqueueAsync(queue, requests, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RequestFailedException or AggregateException)
            {
                // Azure.Core reports a storage account it never reached, after its retries, as an AggregateException.
                throw new BulkInputException(
                    $"could not enqueue on queue '{settings.Queue}' at {queue.Uri.GetLeftPart(UriPartial.Authority)}: " +
                    (e is RequestFailedException failed ? $"{failed.Status} {failed.ErrorCode}" : e.Message), e);
            }

            await output.WriteLineAsync(
                    $"enqueued {requests.Count} request(s) on '{settings.Queue}' as {requests[0].Id}" +
                    (requests.Count > 1 ? $" … {requests[^1].Id}" : string.Empty))
                .ConfigureAwait(false);

            var runner = new BulkRunner(settings, status, poison, output, error);
            return await runner.WaitAndCollectAsync(requests, messageIds, cancellationToken).ConfigureAwait(false);
        }
        catch (BulkInputException e)
        {
            await error.WriteLineAsync($"glide-bulk: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("glide-bulk: canceled").ConfigureAwait(false);
            return ExitCodes.Canceled;
        }
    }

    /// <summary>Checks every option; the first bad one throws with a message naming it.</summary>
    internal static BulkSettings Settings(
        string prompts, string? connection, string queue, string? poisonQueue, string api, string? key,
        string outputDir, string? runId, string timeout, IReadOnlyList<string> sets)
    {
        if (!IsQueueName(queue))
        {
            throw new BulkInputException($"--queue '{queue}' is not a storage queue name (3 to 63 lowercase letters, digits and single hyphens)");
        }

        var poison = poisonQueue ?? queue + "-poison";
        if (!IsQueueName(poison))
        {
            throw new BulkInputException($"--poison-queue '{poison}' is not a storage queue name");
        }

        if (!Uri.TryCreate(api, UriKind.Absolute, out var apiUri) || apiUri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(apiUri.Query) || !string.IsNullOrEmpty(apiUri.Fragment))
        {
            throw new BulkInputException($"--api must be an absolute http(s) URL such as http://localhost:7071, got '{api}'");
        }

        if (!Durations.TryParse(timeout, out var limit))
        {
            throw new BulkInputException($"--timeout takes a duration such as 90s, 30m, 2h or 1h30m, got '{timeout}'");
        }

        // Room for "-<n>" after the prefix within the 64 characters of an id.
        if (runId is not null && (!BodyFields.IsValidId(runId) || runId.Length > BodyFields.MaxIdLength - 8))
        {
            throw new BulkInputException(
                $"--run-id must be 1 to {BodyFields.MaxIdLength - 8} ASCII letters, digits, '-' or '_', starting with a " +
                $"letter or digit, got '{runId}'");
        }

        var settings = new List<KeyValuePair<string, string>>();
        foreach (var item in sets)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new BulkInputException($"--set takes name=value, got '{item}'");
            }

            settings.Add(new(item[..equals].Trim(), item[(equals + 1)..]));
        }

        _ = Defaults(settings);
        return new BulkSettings
        {
            PromptsPath = prompts,
            ConnectionString = string.IsNullOrWhiteSpace(connection)
                ? Environment.GetEnvironmentVariable("AzureWebJobsStorage") is { Length: > 0 } fromEnvironment
                    ? fromEnvironment
                    : "UseDevelopmentStorage=true"
                : connection,
            Queue = queue,
            PoisonQueue = poison,
            Api = apiUri,
            Key = key,
            OutputDirectory = outputDir,
            RunId = runId,
            Timeout = limit,
            Settings = settings,
        };
    }

    /// <summary>The <c>--set</c> pairs as body fields.</summary>
    private static Dictionary<string, JsonNode?> Defaults(IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        var defaults = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in settings)
        {
            if (name is BodyFields.Prompt or BodyFields.Id)
            {
                throw new BulkInputException($"--set cannot set {name}: it comes from the prompts file");
            }

            if (!BodyFields.Kinds.TryGetValue(name, out var kind))
            {
                throw new BulkInputException(
                    $"--set {name}: not a field of a create body; the fields are {string.Join(", ", BodyFields.Kinds.Keys)}");
            }

            try
            {
                defaults[name] = BodyFields.ParseSetting(name, kind, value);
            }
            catch (FormatException e)
            {
                throw new BulkInputException(e.Message, e);
            }
        }

        return defaults;
    }

    private static async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BulkInputException($"cannot read --prompts {path}: {e.Message}", e);
        }
    }

    private static void CreateOutputDirectory(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BulkInputException($"cannot create --output-dir {path}: {e.Message}", e);
        }
    }

    private static bool IsQueueName(string name) => QueueName().IsMatch(name);

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$", RegexOptions.CultureInvariant)]
    private static partial Regex QueueName();
}
