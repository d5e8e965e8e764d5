using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace GlideFunctions.Queue;

/// <summary>Queue clients that read and write messages the way the Functions queue extension does.</summary>
public static class QueueClients
{
    /// <summary>
    /// Base64 message text: the queue extension's default <c>messageEncoding</c>, for the messages its trigger reads
    /// and the ones it moves to <c>{queue}-poison</c>.
    /// </summary>
    public static QueueClientOptions Options => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    /// <summary>
    /// A queue service client for a connection named the way Functions bindings name theirs: the setting
    /// <paramref name="name"/> holding a connection string (<c>UseDevelopmentStorage=true</c> for Azurite), or, for a
    /// managed identity, <c>{name}__queueServiceUri</c> (or <c>{name}__accountName</c>) with the optional
    /// <c>{name}__clientId</c> of a user-assigned identity.
    /// </summary>
    /// <exception cref="InvalidOperationException">None of those settings is present; the message lists them.</exception>
    public static QueueServiceClient CreateServiceClient(IConfiguration configuration, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var connectionString = configuration[name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new QueueServiceClient(connectionString, Options);
        }

        var section = configuration.GetSection(name);
        var serviceUri = section["queueServiceUri"]
            ?? (section["accountName"] is { Length: > 0 } account ? $"https://{account}.queue.core.windows.net" : null);
        if (serviceUri is null)
        {
            throw new InvalidOperationException(
                $"storage connection '{name}' is not configured: set the app setting '{name}' to a connection string, " +
                $"or '{name}__queueServiceUri' (or '{name}__accountName') to use the app's managed identity");
        }

        var clientId = section["clientId"];
        var credential = string.IsNullOrEmpty(clientId)
            ? new DefaultAzureCredential()
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        return new QueueServiceClient(new Uri(serviceUri), credential, Options);
    }
}
