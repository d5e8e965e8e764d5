using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace GlideFunctions.Http;

public static class ReadinessServiceCollectionExtensions
{
    /// <summary>
    /// Loads the models when the worker starts (<see cref="ModelWarmup"/>, a hosted service) and tracks it in
    /// <see cref="ModelReadiness"/> for <c>GET /api/v1/health/ready</c>. Needs the <c>GlideModelProvider</c> of
    /// <c>AddGlideGeneration</c>.
    /// </summary>
    public static IServiceCollection AddGlideModelWarmup(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ModelReadiness>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelWarmup>());
        return services;
    }
}
