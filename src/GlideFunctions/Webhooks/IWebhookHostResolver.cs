using System.Net;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Resolves a webhook host name; the seam tests use to answer with chosen addresses instead of real DNS.
/// </summary>
public interface IWebhookHostResolver
{
    /// <summary>All addresses of <paramref name="host"/>; throws, as <see cref="Dns"/> does, if none.</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
