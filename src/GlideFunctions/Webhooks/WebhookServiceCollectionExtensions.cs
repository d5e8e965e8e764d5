using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GlideFunctions.Webhooks;

/// <summary>The webhook delivery services, for <c>Program.cs</c> and for tests that host the real ones.</summary>
public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="WebhookOptions"/> (bound from <paramref name="configuration"/>'s <c>Webhooks</c> section
    /// and validated at startup, the secret's format included), the target policy with DNS resolution, the retry
    /// schedule, <see cref="DeliverWebhookActivity"/>, and <see cref="WebhookSender"/> as a typed client of
    /// <c>IHttpClientFactory</c> over <see cref="WebhookSender.CreatePrimaryHandler"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The client gets no retrying or resilience handler (the durable schedule retries, and a handler retrying inside
    /// one attempt would resend to a receiver that may already have the message) and none of the factory's logging
    /// handlers, which log each request's full URL: webhook URLs often carry the receiver's token. The sender logs the
    /// host only.
    /// </para>
    /// <para>
    /// <see cref="TimeProvider"/> and <see cref="IWebhookHostResolver"/> are added only if absent, so a test can
    /// register its own first.
    /// </para>
    /// </remarks>
    public static IServiceCollection AddGlideWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<WebhookOptions>()
            .Bind(configuration.GetSection(WebhookOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.TryAddSingleton<WebhookTargetPolicy>();
        services.TryAddSingleton<WebhookRetrySchedule>();

        services.AddHttpClient<WebhookSender>(client =>
            {
                // WebhookOptions.AttemptTimeout bounds each attempt (up to 5 minutes); the client's default of 100 s
                // would otherwise cut a longer one short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
                WebhookSender.CreatePrimaryHandler(provider.GetRequiredService<WebhookTargetPolicy>()))
            .RemoveAllLoggers();

        services.TryAddTransient<DeliverWebhookActivity>();
        return services;
    }
}
