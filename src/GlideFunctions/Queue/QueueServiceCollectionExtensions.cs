using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Queue;

public static class QueueServiceCollectionExtensions
{
    /// <summary>
    /// The bulk request queue: <see cref="QueueOptions"/> (validated at start-up), the <see cref="PoisonQueueWriter"/>
    /// on <see cref="QueueOptions.ConnectionName"/> and <see cref="GenerationQueueProcessor"/>. Needs the
    /// <c>GenerationLauncher</c> of <c>AddGlideGeneration</c>; webhook rules come from <c>WebhookOptions</c> when
    /// registered (without them, webhooks in messages are refused, as over HTTP).
    /// </summary>
    public static IServiceCollection AddGlideQueue(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<QueueOptions>()
            .BindConfiguration(QueueOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new PoisonQueueWriter(
            QueueClients.CreateServiceClient(provider.GetRequiredService<IConfiguration>(), QueueOptions.ConnectionName)
                .GetQueueClient(provider.GetRequiredService<IOptions<QueueOptions>>().Value.PoisonQueue)));
        services.TryAddSingleton<GenerationQueueProcessor>();
        return services;
    }
}
