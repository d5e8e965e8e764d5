using System.Net;
using System.Net.Sockets;

namespace GlideFunctions.Tests.Webhooks;

/// <summary>
/// Answers host names from a table instead of DNS, so tests can make a name point anywhere without a network; an
/// unknown name fails as DNS would. Counts lookups, so a test can tell whether resolution happened.
/// </summary>
internal sealed class StaticHostResolver : GlideFunctions.Webhooks.IWebhookHostResolver
{
    private readonly Dictionary<string, IPAddress[]> _answers = new(StringComparer.OrdinalIgnoreCase);
    private int _lookups;

    public int Lookups => Volatile.Read(ref _lookups);

    public StaticHostResolver Add(string host, params string[] addresses)
    {
        _answers[host] = [.. addresses.Select(IPAddress.Parse)];
        return this;
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        return _answers.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }
}
