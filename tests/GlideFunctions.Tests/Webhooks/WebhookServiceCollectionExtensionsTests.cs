using System.Collections.Concurrent;
using System.Text;
using GlideFunctions.Api;
using GlideFunctions.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Tests.Webhooks;

public sealed class WebhookServiceCollectionExtensionsTests
{
    private readonly WebhookSecret _secret = WebhookSecret.Generate();

    [Fact]
    public async Task The_registered_activity_delivers_and_nothing_logs_the_url_or_the_secret()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(200));
        var logs = new CapturingLoggerProvider();
        await using var services = Services(
            new()
            {
                ["Webhooks:Secret"] = _secret.Encode(),
                ["Webhooks:AllowPrivateTargets"] = "true",
                ["Webhooks:RequireHttps"] = "false",
            },
            logs);
        var request = new WebhookDeliveryRequest(
            server.Url.AbsoluteUri, "g-abc.completed", WebhookEventType.Completed, """{"type":"completed"}""",
            WebhookRetrySettings.FromOptions(services.GetRequiredService<IOptions<WebhookOptions>>().Value));

        var attempt = await services.GetRequiredService<DeliverWebhookActivity>()
            .DeliverAsync(request, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.Delivered, attempt.Outcome);
        Assert.Equal(Encoding.UTF8.GetBytes(request.Body), Assert.Single(server.Requests).Body);
        Assert.Contains(
            logs.Messages, m => m.Contains("g-abc.completed delivered to 127.0.0.1", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("/hooks/glide", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("token", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains(_secret.Encode(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_secret_the_activity_sends_nothing_and_gives_up()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(200));
        await using var services = Services(
            new() { ["Webhooks:AllowPrivateTargets"] = "true", ["Webhooks:RequireHttps"] = "false" });
        var at = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var request = new WebhookDeliveryRequest(
            server.Url.AbsoluteUri, "g-abc.start", WebhookEventType.Start, "{}",
            new WebhookRetrySettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 3));

        var attempt = await services.GetRequiredService<DeliverWebhookActivity>()
            .DeliverAsync(request, at, CancellationToken.None);

        Assert.Equal(WebhookAttemptOutcome.GiveUp, attempt.Outcome);
        Assert.Equal(WebhookFailureKind.NotConfigured, attempt.Failure);
        Assert.Equal(at, attempt.AttemptedAt);
        Assert.Contains("no signing secret", attempt.Reason, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task A_malformed_secret_stops_the_host_at_startup()
    {
        using var host = new Microsoft.Extensions.Hosting.HostBuilder()
            .ConfigureServices((_, services) => services.AddGlideWebhooks(Configuration(
                new() { ["Webhooks:Secret"] = "whsec_c2hvcnQ=" })))
            .Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registrations_a_test_made_first_are_kept()
    {
        var resolver = new StaticHostResolver();
        var services = new ServiceCollection().AddSingleton<IWebhookHostResolver>(resolver);

        await using var provider = services.AddGlideWebhooks(Configuration([])).BuildServiceProvider();

        Assert.Same(resolver, provider.GetRequiredService<IWebhookHostResolver>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.NotNull(provider.GetRequiredService<WebhookRetrySchedule>());
    }

    private static ServiceProvider Services(
        Dictionary<string, string?> settings, CapturingLoggerProvider? logs = null) =>
        new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(
                logs ?? new CapturingLoggerProvider()))
            .AddGlideWebhooks(Configuration(settings))
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    /// <summary>Every message any logger writes, at every level, formatted.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _messages);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(
                LogLevel logLevel,
                EventId eventId,
                TState state,
                Exception? exception,
                Func<TState, Exception?, string> formatter) =>
                messages.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
