using System.Net;

namespace GlideFunctions.Webhooks;

/// <summary>The production resolver: the operating system's DNS.</summary>
public sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
