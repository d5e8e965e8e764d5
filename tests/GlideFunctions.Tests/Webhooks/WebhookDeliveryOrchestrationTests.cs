using System.Globalization;
using System.Text;
using GlideFunctions.Tests.Durable;
using GlideFunctions.Api;
using GlideFunctions.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StandardWebhooks;

namespace GlideFunctions.Tests.Webhooks;

/// <summary>
/// The delivery orchestration in the in-process Durable host, with the real activity, sender, primary handler and
/// services from <see cref="WebhookServiceCollectionExtensions.AddGlideWebhooks"/>, against a receiver on 127.0.0.1.
/// Retry delays are milliseconds here (the record allows it; the options would not). Nothing asserts how long
/// anything took, except what the protocol promises: no retry sooner than the receiver's Retry-After.
/// </summary>
public sealed class WebhookDeliveryOrchestrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset EventTime = new(2030, 1, 2, 3, 4, 5, 250, TimeSpan.Zero);

    /// <summary>Backoff 50-100 ms then 100-200 ms; room for a 1 s Retry-After; a window no test reaches.</summary>
    private static readonly WebhookRetrySettings Quick = new(
        InitialRetryDelay: TimeSpan.FromMilliseconds(100),
        MaxRetryDelay: TimeSpan.FromSeconds(2),
        MaxRetryWindow: TimeSpan.FromSeconds(30),
        MaxAttempts: 10);

    private readonly WebhookSecret _secret = WebhookSecret.Generate();

    [Fact]
    public async Task A_delivered_message_carries_the_exact_body_and_a_signature_the_reference_library_accepts()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(204));
        await using var host = await StartHostAsync(allowPrivateTargets: true);
        var request = Request(server.Url, WebhookEventType.Completed);
        var before = DateTimeOffset.UtcNow;

        var result = await RunAsync(host, request);

        Assert.Equal(WebhookDeliveryOutcome.Delivered, result.Status);
        Assert.Equal(WebhookEventType.Completed, result.Event);
        Assert.Equal(request.WebhookId, result.WebhookId);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(204, result.LastStatusCode);
        Assert.Null(result.LastError);
        Assert.Null(result.NextAttemptAt);
        Assert.NotNull(result.LastAttemptAt);

        var received = Assert.Single(server.Requests);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/hooks/glide?token=abc", received.Target);
        Assert.Equal("application/json", received.Headers["Content-Type"]);
        Assert.Equal(Encoding.UTF8.GetBytes(request.Body), received.Body);
        Assert.Equal("g-abc.completed", received.Headers["webhook-id"]);
        Assert.StartsWith("v1,", received.Headers["webhook-signature"], StringComparison.Ordinal);

        // Signed at the orchestration's time for this attempt: after the test began, before the request arrived.
        var signedAt = UnixSeconds(received);
        Assert.InRange(signedAt, before.ToUnixTimeSeconds(), received.ReceivedAt.ToUnixTimeSeconds());
        VerifyWithReferenceLibrary(received);
    }

    [Fact]
    public async Task A_500_then_a_429_then_a_200_is_three_attempts_of_one_message_honouring_retry_after()
    {
        var answers = new Queue<LoopbackResponse>(
        [
            new LoopbackResponse(500),
            new LoopbackResponse(429, ("Retry-After", "1")),
            new LoopbackResponse(200),
        ]);
        await using var server = new LoopbackHttpServer(_ =>
        {
            lock (answers)
            {
                return answers.Count > 0 ? answers.Dequeue() : new LoopbackResponse(200);
            }
        });
        await using var host = await StartHostAsync(allowPrivateTargets: true);
        var request = Request(server.Url, WebhookEventType.Output, outputIndex: 2);

        var result = await RunAsync(host, request);

        Assert.Equal(WebhookDeliveryOutcome.Delivered, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(200, result.LastStatusCode);
        Assert.Null(result.LastError);

        // The orchestration has completed: nothing can send a fourth request any more.
        Assert.Equal(3, server.Requests.Count);
        var (first, second, third) = (server.Requests[0], server.Requests[1], server.Requests[2]);
        Assert.All(server.Requests, r => Assert.Equal("g-abc.output.2", r.Headers["webhook-id"]));
        Assert.All(server.Requests, r => Assert.Equal(Encoding.UTF8.GetBytes(request.Body), r.Body));
        Assert.All(server.Requests, VerifyWithReferenceLibrary);

        // Each attempt is signed when it is made, never earlier than the one before.
        Assert.True(UnixSeconds(first) <= UnixSeconds(second));

        // The 429 asked for a second: the third attempt was neither signed nor sent sooner. (Its request arrived
        // before the 429 went out, and the timer counts from when the orchestration saw that answer.)
        Assert.True(
            third.ReceivedAt - second.ReceivedAt >= TimeSpan.FromSeconds(1),
            $"after Retry-After: 1 the next came {(third.ReceivedAt - second.ReceivedAt).TotalMilliseconds} ms later");
        Assert.True(UnixSeconds(third) - UnixSeconds(second) >= 1);
    }

    [Fact]
    public async Task Refused_targets_are_recorded_after_one_attempt_without_a_request_or_a_retry()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(200));
        var resolver = new StaticHostResolver().Add("hooks.example.test", "127.0.0.1");
        await using var host = await StartHostAsync(allowPrivateTargets: false, resolver);

        var results = await Task.WhenAll(
            RunAsync(host, Request(new Uri("http://169.254.169.254/latest/meta-data/"), WebhookEventType.Start)),
            RunAsync(host, Request(new Uri("http://10.0.0.1/hook"), WebhookEventType.Output, outputIndex: 0)),
            RunAsync(
                host,
                Request(new Uri($"http://hooks.example.test:{server.Port}/hook"), WebhookEventType.Completed)));

        Assert.All(results, r =>
        {
            Assert.Equal(WebhookDeliveryOutcome.Refused, r.Status);
            Assert.Equal(1, r.Attempts);
            Assert.Null(r.LastStatusCode);
            Assert.Null(r.NextAttemptAt);
        });
        Assert.Contains("link-local", results[0].LastError, StringComparison.Ordinal);
        Assert.Contains("private", results[1].LastError, StringComparison.Ordinal);
        Assert.Contains("'hooks.example.test' resolves to 127.0.0.1 is a loopback address", results[2].LastError,
            StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
        Assert.DoesNotContain(results, r => r.LastError!.Contains("/hook", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_given_up_when_the_attempts_run_out()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(503));
        await using var host = await StartHostAsync(allowPrivateTargets: true);

        var result = await RunAsync(host, Request(server.Url, WebhookEventType.Completed) with
        {
            Retry = Quick with { MaxAttempts = 3 },
        });

        Assert.Equal(WebhookDeliveryOutcome.Failed, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(503, result.LastStatusCode);
        Assert.Null(result.NextAttemptAt);
        Assert.Equal(
            "gave up after 3 attempts, the most allowed; the last: the receiver answered 503", result.LastError);
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_given_up_when_the_retry_window_closes()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(503));
        await using var host = await StartHostAsync(allowPrivateTargets: true);
        var window = TimeSpan.FromMilliseconds(400);
        var retry = new WebhookRetrySettings(
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), window, MaxAttempts: 100);

        var result = await RunAsync(host, Request(server.Url, WebhookEventType.Start) with { Retry = retry });

        Assert.Equal(WebhookDeliveryOutcome.Failed, result.Status);
        Assert.Equal(503, result.LastStatusCode);
        Assert.Equal(server.Requests.Count, result.Attempts);

        // Every wait is at least half the initial delay (50 ms), and every attempt starts inside the 400 ms window.
        Assert.InRange(result.Attempts, 1, 1 + (int)(window / (retry.InitialRetryDelay / 2)));
        Assert.StartsWith($"gave up after {(result.Attempts == 1 ? "1 attempt" : $"{result.Attempts} attempts")}: "
            + "the next would fall outside the retry window of 0.4 s from the first", result.LastError,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receiver_that_answers_a_4xx_is_given_up_at_once()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(410));
        await using var host = await StartHostAsync(allowPrivateTargets: true);

        var result = await RunAsync(host, Request(server.Url, WebhookEventType.Completed));

        Assert.Equal(WebhookDeliveryOutcome.Failed, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Single(server.Requests);
        Assert.Equal(410, result.LastStatusCode);
        Assert.Contains("a retry would get the same answer", result.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_custom_status_shows_the_attempts_so_far_while_the_delivery_runs()
    {
        var secondArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        await using var server = new LoopbackHttpServer(async (_, stopping) =>
        {
            if (Interlocked.Increment(ref count) == 1)
            {
                return new LoopbackResponse(503);
            }

            // Hold the second attempt until the test has looked at the status the first one left.
            secondArrived.TrySetResult();
            await release.Task.WaitAsync(stopping);
            return new LoopbackResponse(200);
        });
        await using var host = await StartHostAsync(allowPrivateTargets: true);
        var request = Request(server.Url, WebhookEventType.Start);
        using var timeout = new CancellationTokenSource(Timeout);

        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(
            WebhookFunctionNames.DeliveryOrchestrator, request, new StartOrchestrationOptions(request.WebhookId),
            timeout.Token);
        await secondArrived.Task.WaitAsync(timeout.Token);
        var running = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true, timeout.Token);
        release.TrySetResult();
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        // The second request is only sent after the record of the first was saved with the timer.
        Assert.NotNull(running);
        Assert.Equal(OrchestrationRuntimeStatus.Running, running.RuntimeStatus);
        var inFlight = running.ReadCustomStatusAs<WebhookDeliveryResource>()!;
        Assert.Equal(WebhookDeliveryOutcome.Pending, inFlight.Status);
        Assert.Equal(WebhookEventType.Start, inFlight.Event);
        Assert.Equal("g-abc.start", inFlight.WebhookId);
        Assert.Equal(1, inFlight.Attempts);
        Assert.Equal(503, inFlight.LastStatusCode);
        Assert.Equal("the receiver answered 503", inFlight.LastError);
        Assert.NotNull(inFlight.NextAttemptAt);
        Assert.True(inFlight.NextAttemptAt > inFlight.LastAttemptAt);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        var result = done.ReadOutputAs<WebhookDeliveryResource>()!;
        Assert.Equal(WebhookDeliveryOutcome.Delivered, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(result, done.ReadCustomStatusAs<WebhookDeliveryResource>());
    }

    [Fact]
    public async Task The_final_record_serializes_as_the_generation_object_shows_it()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(200));
        await using var host = await StartHostAsync(allowPrivateTargets: true);

        var result = await RunAsync(host, Request(server.Url, WebhookEventType.Completed));
        var json = System.Text.Json.JsonSerializer.Serialize(result);

        Assert.StartsWith(
            "{\"event\":\"completed\",\"webhook_id\":\"g-abc.completed\",\"status\":\"delivered\","
            + "\"attempts\":1,\"last_status_code\":200,\"last_attempt_at\":\"",
            json,
            StringComparison.Ordinal);
        Assert.EndsWith("\"last_error\":null}", json, StringComparison.Ordinal);
    }

    private WebhookDeliveryRequest Request(Uri url, WebhookEventType type, int? outputIndex = null)
    {
        var payload = WebhookPayload.Create(type, EventTime, new { Id = "g-abc", Status = "processing" });
        return WebhookDeliveryRequest.Create(
            url.AbsoluteUri, WebhookDeliveryRequest.MessageId("g-abc", type, outputIndex), payload, Quick);
    }

    private async Task<DurableTaskTestHost> StartHostAsync(
        bool allowPrivateTargets, StaticHostResolver? resolver = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Webhooks:Secret"] = _secret.Encode(),
                ["Webhooks:AllowPrivateTargets"] = allowPrivateTargets ? "true" : "false",
                ["Webhooks:RequireHttps"] = "false",
                ["Webhooks:AttemptTimeout"] = "00:00:10",
            })
            .Build();
        return await DurableTestHostStarter.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<WebhookDeliveryOrchestrator>();
                registry.AddActivity<DeliverWebhookActivity>();
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services =>
                {
                    // Before AddGlideWebhooks, which adds the DNS resolver only when none is registered.
                    services.AddSingleton<IWebhookHostResolver>(resolver ?? new StaticHostResolver());
                    services.AddGlideWebhooks(configuration);
                },
                LoggerFactory = NullLoggerFactory.Instance,
            });
    }

    private static async Task<WebhookDeliveryResource> RunAsync(
        DurableTaskTestHost host, WebhookDeliveryRequest request)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(
            WebhookFunctionNames.DeliveryOrchestrator, request, new StartOrchestrationOptions(request.WebhookId),
            timeout.Token);
        var instance = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.True(
            instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{instance.RuntimeStatus}: {instance.FailureDetails?.ErrorType} {instance.FailureDetails?.ErrorMessage}");
        var result = instance.ReadOutputAs<WebhookDeliveryResource>()!;

        // The last custom status is the result: what an API showed while it ran ends where the result says.
        Assert.Equal(result, instance.ReadCustomStatusAs<WebhookDeliveryResource>());
        return result;
    }

    private static long UnixSeconds(RecordedRequest request) =>
        long.Parse(request.Headers["webhook-timestamp"], NumberStyles.None, CultureInfo.InvariantCulture);

    // StandardWebhooks is an independent implementation of the specification; it also checks the timestamp is
    // within five minutes of now, as receivers do.
    private void VerifyWithReferenceLibrary(RecordedRequest request) =>
        new StandardWebhook(_secret.Encode()).Verify(
            Encoding.UTF8.GetString(request.Body),
            new HeaderDictionary
            {
                ["webhook-id"] = request.Headers["webhook-id"],
                ["webhook-timestamp"] = request.Headers["webhook-timestamp"],
                ["webhook-signature"] = request.Headers["webhook-signature"],
            });
}
