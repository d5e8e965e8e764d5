using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Decides which URLs a webhook may call. Clients choose the URL, so without this a generation request could make the
/// function call its own network, Azure's platform addresses or the metadata endpoint (server-side request forgery).
/// </summary>
/// <remarks>
/// Three checks, each for a different moment: <see cref="ValidateUrl"/> when a request arrives (no DNS, answers
/// 400), <see cref="CheckResolvedAsync"/> before each delivery (DNS, so a name that points inside is caught), and
/// the connect hook <see cref="WebhookSender.CreatePrimaryHandler"/> installs, which checks the very addresses it
/// connects to, so a name that re-resolves differently between check and connect (DNS rebinding) is caught too.
/// </remarks>
public sealed class WebhookTargetPolicy
{
    /// <summary>Longer URLs are refused: they are stored with the generation and echoed back in it.</summary>
    public const int MaximumUrlLength = WebhookUrlRules.MaximumLength;

    private readonly WebhookOptions _options;
    private readonly IWebhookHostResolver _resolver;

    public WebhookTargetPolicy(IOptions<WebhookOptions> options, IWebhookHostResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(resolver);
        _options = options.Value;
        _resolver = resolver;
    }

    /// <summary>
    /// Request-time check of a client's webhook URL (<see cref="WebhookUrlRules"/> under these options): absolute
    /// <c>https</c> (or <c>http</c> when <see cref="WebhookOptions.RequireHttps"/> is off), no credentials, and, unless
    /// private targets are allowed, neither a non-public literal IP address nor a <c>localhost</c> name. Host names
    /// are not resolved here.
    /// </summary>
    public WebhookTargetCheck ValidateUrl(string? url) =>
        WebhookUrlRules.Check(url, _options.RequireHttps, _options.AllowPrivateTargets);

    /// <summary>
    /// Delivery-time check: <see cref="ValidateUrl"/>'s rules, then the host name resolved and every address it
    /// resolves to judged. One non-public address refuses the target, since the connection could go to any of them.
    /// </summary>
    public async Task<WebhookTargetCheck> CheckResolvedAsync(Uri target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var check = CheckUrl(target);
        if (!check.IsAllowed)
        {
            return check;
        }

        var (verdict, reason, _) = await ResolveAsync(target.IdnHost, cancellationToken).ConfigureAwait(false);
        return verdict switch
        {
            WebhookTargetVerdict.Allowed => check,
            WebhookTargetVerdict.Refused => WebhookTargetCheck.Refuse(reason!),
            _ => WebhookTargetCheck.Unresolved(reason!),
        };
    }

    /// <summary>The connect hook: resolves, judges, and connects only to an address it judged.</summary>
    internal async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var (verdict, reason, addresses) = await ResolveAsync(endPoint.Host, cancellationToken).ConfigureAwait(false);
        switch (verdict)
        {
            case WebhookTargetVerdict.Refused:
                throw new WebhookTargetRefusedException(reason!);
            case WebhookTargetVerdict.Unresolved:
                throw new HttpRequestException(HttpRequestError.NameResolutionError, reason);
        }

        SocketException? lastFailure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken)
                    .ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException failure)
            {
                socket.Dispose();
                lastFailure = failure;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastFailure!;
    }

    private WebhookTargetCheck CheckUrl(Uri uri) =>
        WebhookUrlRules.Check(uri, _options.RequireHttps, _options.AllowPrivateTargets);

    private async Task<(WebhookTargetVerdict Verdict, string? Reason, IPAddress[] Addresses)> ResolveAsync(
        string host, CancellationToken cancellationToken)
    {
        host = WebhookUrlRules.Unbracket(host);
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException failure)
            {
                return (WebhookTargetVerdict.Unresolved, $"'{host}' did not resolve: {failure.Message}", []);
            }

            if (addresses.Length == 0)
            {
                return (WebhookTargetVerdict.Unresolved, $"'{host}' resolved to no address", []);
            }
        }

        if (!_options.AllowPrivateTargets)
        {
            foreach (var address in addresses)
            {
                if (NonPublicAddressRanges.Describe(address) is { } reason)
                {
                    return (WebhookTargetVerdict.Refused,
                        literal is null ? $"'{host}' resolves to {reason}" : reason, []);
                }
            }
        }

        return (WebhookTargetVerdict.Allowed, null, addresses);
    }
}
