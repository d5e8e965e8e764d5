using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using GlideFunctions.Bulk;
using GlideFunctions.Queue;
using GlideFunctions.Storage;
using GlideFunctions.Tests.Azurite;
using Xunit.Abstractions;

namespace GlideFunctions.Tests.Queue;

/// <summary>
/// <c>glide-bulk</c> in-process against Azurite: what it enqueues, what it refuses to enqueue, and the whole round
/// trip through the processor, the in-process Durable host and an in-process API.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BulkAppTests(AzuriteFixture azurite, ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("glide-bulk-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task It_enqueues_one_base64_message_per_prompt_under_ids_derived_from_the_file()
    {
        var prompts = WriteFile("prompts.txt", "# a comment\na corgi in a hat\n\n  a red cube  \r\n# another\na blue ball\n");
        var queue = NewQueueName();

        var run = await RunAsync(
            Args(prompts, queue, "--timeout", "1s", "--set", "num_outputs=1", "--set", "base_steps=10"), new StatusHandler(HttpStatusCode.NotFound));

        Assert.Equal(ExitCodes.Failed, run.Code); // nothing serves the queue here, so nothing finishes
        var runId = PromptFile.DefaultRunId(
            File.ReadAllBytes(prompts), [new("num_outputs", "1"), new("base_steps", "10")]);
        Assert.Matches("^bulk-[0-9a-f]{10}$", runId);
        var bodies = (await PeekAllAsync(queue)).OrderBy(b => (string)b["id"]!, StringComparer.Ordinal).ToList();
        Assert.Equal([$"{runId}-0", $"{runId}-1", $"{runId}-2"], bodies.Select(b => (string)b["id"]!));
        Assert.Equal(["a corgi in a hat", "a red cube", "a blue ball"], bodies.Select(b => (string)b["prompt"]!));
        Assert.All(bodies, b => Assert.Equal((1, "10"), ((int)b["num_outputs"]!, (string)b["base_steps"]!)));
        Assert.Contains($"timed-out  {runId}-0  not started in time", run.Output, StringComparison.Ordinal);

        // The same command again sends the same ids: the service maps each to the generation the first run named.
        var again = await RunAsync(
            Args(prompts, queue, "--timeout", "1s", "--set", "num_outputs=1", "--set", "base_steps=10"), new StatusHandler(HttpStatusCode.NotFound));
        Assert.Equal(ExitCodes.Failed, again.Code);
        var all = await PeekAllAsync(queue);
        Assert.Equal(6, all.Count);
        Assert.Equal(3, all.Select(b => b.ToJsonString()).Distinct().Count());
    }

    [Fact]
    public async Task Re_enqueued_ids_start_each_generation_once()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        var prompts = WriteFile("prompts.jsonl", """
            {"prompt": "a corgi", "base_steps": "10", "upsample_steps": "10"}
            {"prompt": "a cube", "id": "my-cube", "base_steps": "10", "upsample_steps": "10"}
            """);

        foreach (var _ in new[] { 1, 2 })
        {
            var run = await RunAsync(Args(prompts, host.Requests.Name, "--timeout", "1s"), new StatusHandler(HttpStatusCode.NotFound));
            Assert.Equal(ExitCodes.Failed, run.Code);
        }

        var outcomes = new List<QueueMessageOutcome>();
        for (var i = 0; i < 4; i++)
        {
            outcomes.Add((await host.ProcessNextAsync(timeout.Token)).Outcome);
        }

        var runId = PromptFile.DefaultRunId(File.ReadAllBytes(prompts), []);
        Assert.Equal(
            [(QueueMessageResult.Started, $"{runId}-0"), (QueueMessageResult.Existing, $"{runId}-0"),
             (QueueMessageResult.Started, "my-cube"), (QueueMessageResult.Existing, "my-cube")],
            outcomes.Select(o => (o.Result, o.GenerationId!)).OrderBy(o => o.Item2, StringComparer.Ordinal).ThenBy(o => o.Result));
        foreach (var id in new[] { $"{runId}-0", "my-cube" })
        {
            await host.Client.WaitForInstanceCompletionAsync(id, timeout.Token);
        }
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "prompts.txt", "# only comments\n\n", "holds no prompts" },
        { "prompts.jsonl", "{\"prompt\": \"a corgi\"}\n{\"prompt\": \"a cube\", \"num_candidates\": \"two\"}\n", ":2: num_candidates must be an integer" },
        { "prompts.jsonl", "{\"prompt\": \"a corgi\"}\n{\"prompt\": \"a cube\"\n", ":2: not valid JSON" },
        { "prompts.jsonl", "{\"prompt\": \"a corgi\", \"promt\": \"x\"}\n", ":1: 'promt' is not a field" },
        { "prompts.jsonl", "{\"prompt\": \"a\", \"id\": \"x-1\"}\n{\"prompt\": \"b\", \"id\": \"x-1\"}\n", ":2: id 'x-1' is already used on line 1" },
        { "prompts.jsonl", "{\"prompt\": \"a\", \"id\": \"no spaces please\"}\n", ":1: id must be" },
        { "prompts.jsonl", "[\"a corgi\"]\n", ":1: each line of a .jsonl file must be a JSON object" },
        { "prompts.jsonl", "{\"negative_prompt\": \"blurry\"}\n", ":1: prompt is required" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_prompts_file_enqueues_nothing_and_exits_2(string name, string content, string message)
    {
        var prompts = WriteFile(name, content);
        var queue = NewQueueName();

        var run = await RunAsync(Args(prompts, queue), new StatusHandler(HttpStatusCode.NotFound));

        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.False(await new QueueClient(azurite.ConnectionString, queue).ExistsAsync());
    }

    [Theory]
    [InlineData("--timeout", "soon", "--timeout takes a duration")]
    [InlineData("--api", "localhost:7071", "--api must be an absolute http(s) URL")]
    [InlineData("--set", "num_outputs=one", "--set num_outputs takes an integer")]
    [InlineData("--set", "prompt=x", "--set cannot set prompt")]
    [InlineData("--set", "steps=10", "--set steps: not a field")]
    [InlineData("--run-id", "bad id", "--run-id must be")]
    [InlineData("--queue", "Bad_Queue", "--queue 'Bad_Queue' is not a storage queue name")]
    public async Task Bad_arguments_exit_2_with_a_message_naming_the_option(string option, string value, string message)
    {
        var prompts = WriteFile("prompts.txt", "a corgi\n");

        var run = await RunAsync(Args(prompts, NewQueueName(), option, value), new StatusHandler(HttpStatusCode.NotFound));

        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_prompts_it_exits_2_with_usage()
    {
        var run = await RunAsync(["--queue", NewQueueName()], new StatusHandler(HttpStatusCode.NotFound));

        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains("--prompts", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_waits_for_every_generation_and_saves_exactly_the_stored_images()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var pump = Task.Run(() => host.PumpAsync(stopPump.Token), timeout.Token);
        var prompts = WriteFile("prompts.jsonl", """
            # two generations, the second with two images
            {"prompt": "a corgi in a hat"}
            {"prompt": "a red cube", "num_candidates": 2, "id": "cube"}
            """);
        var output = Path.Combine(_folder.FullName, "out");
        var api = host.ApiHandler(key: "secret-key");

        var run = await RunAsync(
            [.. Args(prompts, host.Requests.Name, "--key", "secret-key", "--output-dir", output, "--timeout", "3m",
                "--set", "base_steps=10", "--set", "upsample_steps=10"),
            ],
            api);
        await stopPump.CancelAsync();
        var outcomes = await pump;

        Assert.True(run.Code == ExitCodes.Success, $"exit {run.Code}\n{run.Output}\n{run.Error}");
        var runId = PromptFile.DefaultRunId(
            File.ReadAllBytes(prompts), [new("base_steps", "10"), new("upsample_steps", "10")]);
        Assert.Equal(2, outcomes.Count(o => o.Result == QueueMessageResult.Started));
        string[] files = [$"{runId}-0-0.png", "cube-0.png", "cube-1.png"];
        Assert.Equal(files, Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (file, id, index) in new[] { (files[0], $"{runId}-0", 0), (files[1], "cube", 0), (files[2], "cube", 1) })
        {
            await using var blob = await host.Store.OpenReadAsync(RunBlobNames.Image(id, index), timeout.Token);
            using var expected = new MemoryStream();
            await blob.CopyToAsync(expected, timeout.Token);
            Assert.Equal(expected.ToArray(), await File.ReadAllBytesAsync(Path.Combine(output, file), timeout.Token));
        }

        Assert.Contains($"succeeded  {runId}-0  1 image(s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("succeeded  cube  2 image(s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("2 generation(s): 2 succeeded, 0 failed, 0 canceled, 0 refused, 0 not finished; 3 image(s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("GET /api/v1/generations/cube/images/1", api.Requests);
    }

    [Fact]
    public async Task A_message_the_service_refuses_is_reported_from_the_poison_queue()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var pump = Task.Run(() => host.PumpAsync(stopPump.Token), timeout.Token);

        // Respacing strings are the service's to check: this passes the tool and is refused by the processor.
        var prompts = WriteFile("prompts.jsonl", """{"prompt": "a corgi", "base_steps": "lots", "id": "steps"}""");

        var run = await RunAsync(
            Args(prompts, host.Requests.Name, "--poison-queue", host.Poison.Name, "--timeout", "2m"), host.ApiHandler());
        await stopPump.CancelAsync();
        await pump;

        Assert.Equal(ExitCodes.Failed, run.Code);
        Assert.Contains("refused    steps  refused by the service: base_steps", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 refused", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "the API needs a function key (--key)")]
    [InlineData("wrong", "the API refuses the --key given")]
    public async Task An_API_that_refuses_the_key_exits_2_before_enqueuing(string? key, string message)
    {
        var prompts = WriteFile("prompts.txt", "a corgi\n");
        var queue = NewQueueName();
        string[] keyArgs = key is null ? [] : ["--key", key];

        var run = await RunAsync(Args(prompts, queue, keyArgs), new StatusHandler(HttpStatusCode.Unauthorized));

        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains("401", run.Error, StringComparison.Ordinal);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.False(await new QueueClient(azurite.ConnectionString, queue).ExistsAsync());
    }

    [Fact]
    public async Task Ctrl_C_while_waiting_exits_130()
    {
        var prompts = WriteFile("prompts.txt", "a corgi\n");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        var run = await RunAsync(Args(prompts, NewQueueName(), "--timeout", "10m"), new StatusHandler(HttpStatusCode.NotFound), cancel.Token);

        Assert.Equal(ExitCodes.Canceled, run.Code);
        Assert.Contains("canceled", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The command line for <paramref name="prompts"/> and <paramref name="queue"/>; <paramref name="more"/> wins.</summary>
    private string[] Args(string prompts, string queue, params string[] more)
    {
        (string Option, string Value)[] defaults =
        [
            ("--prompts", prompts), ("--connection", azurite.ConnectionString), ("--queue", queue),
            ("--api", "http://glide.test"), ("--output-dir", Path.Combine(_folder.FullName, "images")),
        ];
        return [.. defaults.Where(d => !more.Contains(d.Option)).SelectMany(d => new[] { d.Option, d.Value }), .. more];
    }

    private async Task<Run> RunAsync(string[] args, HttpMessageHandler handler, CancellationToken cancellationToken = default)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await BulkApp.RunAsync(args, output, error, handler, cancellationToken);
        log.WriteLine($"glide-bulk {string.Join(' ', args.Where(a => !a.StartsWith("DefaultEndpoints", StringComparison.Ordinal)))}\n" +
                      $"exit {code}\n{output}{error}");
        return new(code, output.ToString(), error.ToString());
    }

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private static string NewQueueName() => $"bulk-{Guid.NewGuid():N}";

    /// <summary>Every message of <paramref name="queue"/>, decoded from base64 (which fails if one is not).</summary>
    private async Task<List<JsonObject>> PeekAllAsync(string queue)
    {
        var raw = new QueueClient(azurite.ConnectionString, queue);
        var messages = (await raw.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value;
        foreach (var message in messages)
        {
            await raw.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        return [.. messages.Select(m => JsonNode.Parse(Convert.FromBase64String(m.MessageText))!.AsObject())];
    }

    private sealed record Run(int Code, string Output, string Error);

    /// <summary>An API that answers every request with <paramref name="status"/> (404: it knows no generation).</summary>
    private sealed class StatusHandler(HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status));
    }
}
