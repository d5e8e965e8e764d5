using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The runs container and what sits on it: <see cref="StorageOptions"/> (validated at start-up), a
    /// <see cref="BlobServiceClient"/> for <see cref="StorageOptions.ConnectionName"/>, <see cref="BlobTensorStore"/>
    /// and <see cref="RunSignals"/>.
    /// </summary>
    public static IServiceCollection AddGlideStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(provider => CreateBlobServiceClient(
            provider.GetRequiredService<IConfiguration>(),
            provider.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionName));
        services.TryAddSingleton(provider => new BlobTensorStore(
            provider.GetRequiredService<BlobServiceClient>()
                .GetBlobContainerClient(provider.GetRequiredService<IOptions<StorageOptions>>().Value.RunsContainer)));
        services.TryAddSingleton<RunSignals>();
        return services;
    }

    /// <summary>
    /// A blob client for a connection named the way Functions bindings name theirs: the setting
    /// <paramref name="name"/> holding a connection string (<c>UseDevelopmentStorage=true</c> for Azurite), or, for a
    /// managed identity, <c>{name}__blobServiceUri</c> (or <c>{name}__accountName</c>) with the optional
    /// <c>{name}__clientId</c> of a user-assigned identity.
    /// </summary>
    /// <exception cref="InvalidOperationException">None of those settings is present; the message lists them.</exception>
    public static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var connectionString = configuration[name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new BlobServiceClient(connectionString);
        }

        var section = configuration.GetSection(name);
        var serviceUri = section["blobServiceUri"]
            ?? (section["accountName"] is { Length: > 0 } account ? $"https://{account}.blob.core.windows.net" : null);
        if (serviceUri is null)
        {
            throw new InvalidOperationException(
                $"storage connection '{name}' is not configured: set the app setting '{name}' to a connection string, " +
                $"or '{name}__blobServiceUri' (or '{name}__accountName') to use the app's managed identity");
        }

        var clientId = section["clientId"];
        var credential = string.IsNullOrEmpty(clientId)
            ? new DefaultAzureCredential()
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        return new BlobServiceClient(new Uri(serviceUri), credential);
    }
}
