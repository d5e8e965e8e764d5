using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GlideFunctions.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using StandardWebhooks;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace GlideFunctions.Tests.Webhooks;

/// <summary>The sender against a real HTTP receiver on 127.0.0.1: private targets allowed, as in local dev.</summary>
public sealed class WebhookSenderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"type":"completed","timestamp":"2030-01-02T03:04:05.000Z","data":{"id":"gen_9","status":"succeeded"}}""");

    private readonly WebhookSecret _secret = WebhookSecret.Generate();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    [Fact]
    public async Task A_2xx_answer_is_delivered_with_the_three_signed_headers()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(200));
        var signedAt = DateTimeOffset.UtcNow;

        var attempt = await Sender().SendAsync(server.Url, "gen_9/completed", signedAt, Body, _secret, default);

        Assert.Equal(WebhookAttemptOutcome.Delivered, attempt.Outcome);
        Assert.Equal(200, attempt.StatusCode);
        Assert.Null(attempt.Failure);
        Assert.Null(attempt.RetryAfter);
        Assert.Null(attempt.Reason);
        Assert.Equal(Now, attempt.AttemptedAt);
        Assert.True(attempt.Elapsed > TimeSpan.Zero);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks/glide?token=abc", request.Target);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal(Body, request.Body);
        Assert.Equal("gen_9/completed", request.Headers["webhook-id"]);
        Assert.Equal(
            signedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), request.Headers["webhook-timestamp"]);
        Assert.StartsWith("v1,", request.Headers["webhook-signature"], StringComparison.Ordinal);

        Assert.Equal(
            WebhookVerificationResult.Valid,
            WebhookSigner.Verify(
                _secret,
                request.Headers["webhook-id"],
                request.Headers["webhook-timestamp"],
                request.Headers["webhook-signature"],
                request.Body,
                DateTimeOffset.UtcNow,
                WebhookSigner.DefaultTolerance));
        new StandardWebhook(_secret.Encode()).Verify(
            Encoding.UTF8.GetString(request.Body),
            new HeaderDictionary
            {
                ["webhook-id"] = request.Headers["webhook-id"],
                ["webhook-timestamp"] = request.Headers["webhook-timestamp"],
                ["webhook-signature"] = request.Headers["webhook-signature"],
            });
    }

    [Theory]
    [InlineData(201)]
    [InlineData(202)]
    [InlineData(204)]
    public async Task Every_2xx_is_delivered(int status)
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(status));

        var attempt = await Send(server);

        Assert.Equal(WebhookAttemptOutcome.Delivered, attempt.Outcome);
        Assert.Equal(status, attempt.StatusCode);
    }

    [Fact]
    public async Task A_503_with_retry_after_seconds_is_retried_after_that_delay()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(503, ("Retry-After", "7")));

        var attempt = await Send(server);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Equal(503, attempt.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), attempt.RetryAfter);
        Assert.Contains("503", attempt.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_with_an_http_date_is_retried_after_that_date()
    {
        var retryAt = Now.AddSeconds(90).ToString("R", CultureInfo.InvariantCulture);
        await using var server = new LoopbackHttpServer(new LoopbackResponse(429, ("Retry-After", retryAt)));

        var attempt = await Send(server);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Equal(429, attempt.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(90), attempt.RetryAfter);
    }

    [Fact]
    public async Task A_retry_after_date_in_the_past_means_now()
    {
        var retryAt = Now.AddMinutes(-1).ToString("R", CultureInfo.InvariantCulture);
        await using var server = new LoopbackHttpServer(new LoopbackResponse(429, ("Retry-After", retryAt)));

        Assert.Equal(TimeSpan.Zero, (await Send(server)).RetryAfter);
    }

    [Fact]
    public async Task Retry_after_is_capped_by_the_options()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(503, ("Retry-After", "86400")));

        var options = Development;
        options.MaxRetryDelay = TimeSpan.FromMinutes(3);

        var attempt = await Send(server, options);

        Assert.Equal(TimeSpan.FromMinutes(3), attempt.RetryAfter);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task Timeouts_and_server_errors_without_retry_after_are_retried_on_the_backoff(int status)
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(status, ("Retry-After", "soon")));

        var attempt = await Send(server);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Equal(status, attempt.StatusCode);
        Assert.Null(attempt.RetryAfter);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_is_given_up_and_never_followed(int status)
    {
        await using var elsewhere = new LoopbackHttpServer(new LoopbackResponse(200));
        await using var server = new LoopbackHttpServer(
            new LoopbackResponse(status, ("Location", elsewhere.Url.ToString())));

        var attempt = await Send(server);

        Assert.Equal(WebhookAttemptOutcome.GiveUp, attempt.Outcome);
        Assert.Equal(status, attempt.StatusCode);
        Assert.Contains("never follow redirects", attempt.Reason, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.Equal(0, elsewhere.Connections);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(422)]
    public async Task Other_client_errors_are_given_up(int status)
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(status, ("Retry-After", "5")));

        var attempt = await Send(server);

        Assert.Equal(WebhookAttemptOutcome.GiveUp, attempt.Outcome);
        Assert.Equal(status, attempt.StatusCode);
        Assert.Null(attempt.RetryAfter);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_times_out_and_is_retried()
    {
        await using var server = new LoopbackHttpServer(_ => null);
        var options = Development;
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);

        var attempt = await Send(server, options);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Equal(WebhookFailureKind.Timeout, attempt.Failure);
        Assert.Equal("no answer within 0.3 s", attempt.Reason);
        Assert.Null(attempt.StatusCode);
        // No timing bounds (a loaded CI machine stretches them) and no exact request count: under load the client can
        // give up before the server has recorded the request. What matters is that it was not sent twice.
        Assert.True(server.Requests.Count <= 1, $"sent {server.Requests.Count} times");
    }

    [Fact]
    public async Task A_refused_connection_is_retried()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var attempt = await Sender().SendAsync(new Uri($"http://127.0.0.1:{port}/"), "m", Now, Body, _secret, default);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Equal(WebhookFailureKind.Connection, attempt.Failure);
        Assert.Null(attempt.StatusCode);
    }

    [Fact]
    public async Task A_private_target_is_given_up_without_connecting_when_not_allowed()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(200));

        var attempt = await Send(server, new WebhookOptions { RequireHttps = false });

        Assert.Equal(WebhookAttemptOutcome.GiveUp, attempt.Outcome);
        Assert.Equal(WebhookFailureKind.TargetRefused, attempt.Failure);
        Assert.Contains("loopback", attempt.Reason, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task A_name_that_turns_private_between_check_and_connect_is_given_up_without_connecting()
    {
        // The pre-send check is told all is well (it allows private targets); the connect hook, under the production
        // policy, sees the loopback address the name resolves to at connect time, as after a DNS rebinding.
        await using var server = new LoopbackHttpServer(new LoopbackResponse(200));
        var resolver = new StaticHostResolver().Add("rebound.example.com", "127.0.0.1");
        var connectPolicy = new WebhookTargetPolicy(
            MsOptions.Create(new WebhookOptions { RequireHttps = false }), resolver);
        var client = Track(new HttpClient(WebhookSender.CreatePrimaryHandler(connectPolicy)));
        var sender = new WebhookSender(
            client,
            Policy(Development, resolver),
            MsOptions.Create(Development),
            Clock(),
            NullLogger<WebhookSender>.Instance);

        var attempt = await sender.SendAsync(
            new Uri($"http://rebound.example.com:{server.Port}/"), "m", Now, Body, _secret, default);

        Assert.Equal(WebhookAttemptOutcome.GiveUp, attempt.Outcome);
        Assert.Equal(WebhookFailureKind.TargetRefused, attempt.Failure);
        Assert.Contains("'rebound.example.com' resolves to 127.0.0.1 is a loopback address", attempt.Reason,
            StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_retried()
    {
        var attempt = await Sender().SendAsync(
            new Uri("http://unknown.test:1/"), "m", Now, Body, _secret, default);

        Assert.Equal(WebhookAttemptOutcome.Retry, attempt.Outcome);
        Assert.Equal(WebhookFailureKind.NameResolution, attempt.Failure);
    }

    [Fact]
    public async Task Retries_carry_the_same_id_and_a_fresh_valid_signature()
    {
        var answers = new Queue<int>([503, 200]);
        await using var server = new LoopbackHttpServer(_ => new LoopbackResponse(answers.Dequeue()));
        var sender = Sender();
        var first = DateTimeOffset.UtcNow.AddSeconds(-30);

        var retry = await sender.SendAsync(server.Url, "gen_9/completed", first, Body, _secret, default);
        var delivered = await sender.SendAsync(
            server.Url, "gen_9/completed", first.AddSeconds(30), Body, _secret, default);

        Assert.Equal(WebhookAttemptOutcome.Retry, retry.Outcome);
        Assert.Equal(WebhookAttemptOutcome.Delivered, delivered.Outcome);
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("gen_9/completed", r.Headers["webhook-id"]));
        Assert.NotEqual(
            server.Requests[0].Headers["webhook-timestamp"], server.Requests[1].Headers["webhook-timestamp"]);
        Assert.All(server.Requests, r => Assert.Equal(
            WebhookVerificationResult.Valid,
            WebhookSigner.Verify(_secret, r.Headers["webhook-id"], r.Headers["webhook-timestamp"],
                r.Headers["webhook-signature"], r.Body, DateTimeOffset.UtcNow, WebhookSigner.DefaultTolerance)));
    }

    [Fact]
    public async Task The_callers_cancellation_is_thrown_not_recorded()
    {
        await using var server = new LoopbackHttpServer(_ => null);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Sender().SendAsync(server.Url, "m", Now, Body, _secret, cancellation.Token));
    }

    [Fact]
    public async Task The_attempt_record_serializes_with_readable_enum_names()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(503, ("Retry-After", "7")));
        var attempt = await Send(server);

        var json = System.Text.Json.JsonSerializer.Serialize(
            attempt, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));

        Assert.Contains("\"outcome\":\"retry\"", json, StringComparison.Ordinal);
        Assert.Equal(attempt, System.Text.Json.JsonSerializer.Deserialize<WebhookDeliveryAttempt>(
            json, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
    }

    private static WebhookOptions Development => new()
    {
        AllowPrivateTargets = true,
        RequireHttps = false,
        AttemptTimeout = TimeSpan.FromSeconds(5),
    };

    private static ManualTimeProvider Clock() => new(Now);

    private static WebhookTargetPolicy Policy(WebhookOptions options, IWebhookHostResolver? resolver = null) =>
        new(MsOptions.Create(options), resolver ?? new StaticHostResolver());

    private Task<WebhookDeliveryAttempt> Send(LoopbackHttpServer server, WebhookOptions? options = null) =>
        Sender(options).SendAsync(server.Url, "gen_9/completed", Now, Body, _secret, default);

    private WebhookSender Sender(WebhookOptions? options = null)
    {
        options ??= Development;
        var policy = Policy(options);
        var client = Track(new HttpClient(WebhookSender.CreatePrimaryHandler(policy)));
        return new WebhookSender(
            client, policy, MsOptions.Create(options), Clock(), NullLogger<WebhookSender>.Instance);
    }

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
