using System.Net;

namespace GlideFunctions.Webhooks;

/// <summary>
/// The rules a webhook URL's text must meet, shared by the request parser (a 400 when a client sends a bad
/// <c>webhook</c>) and <see cref="WebhookTargetPolicy"/> (before each delivery): absolute, <c>https</c> (or
/// <c>http</c> when allowed), no credentials, and, unless private targets are allowed, neither a non-public literal
/// IP address nor a <c>localhost</c> name. Host names are not resolved here; the policy does that per delivery.
/// </summary>
/// <remarks>
/// The reasons name the field (<c>webhook</c>), the rule and at most the host, never the whole URL: they are shown to
/// clients, stored with the delivery and logged, and a webhook URL's path and query often carry the receiver's token.
/// </remarks>
public static class WebhookUrlRules
{
    /// <summary>Longer URLs are refused: they are stored with the generation and echoed back in it.</summary>
    public const int MaximumLength = 2048;

    private const string Field = "webhook";
    private const string Example = "'https://example.com/hooks/glide'";
    private const string PublicOnly = "webhooks are delivered only to public hosts";

    /// <summary>
    /// Checks a client's webhook URL as written; when allowed, <see cref="WebhookTargetCheck.Target"/> is the parsed
    /// URL (its <see cref="Uri.AbsoluteUri"/> is the canonical form to store).
    /// </summary>
    /// <param name="url">The URL as the client sent it.</param>
    /// <param name="requireHttps">Refuse <c>http</c> (off only for local development).</param>
    /// <param name="allowPrivateTargets">Admit loopback, private and link-local hosts (local development only).</param>
    public static WebhookTargetCheck Check(string? url, bool requireHttps, bool allowPrivateTargets)
    {
        if (string.IsNullOrEmpty(url))
        {
            return WebhookTargetCheck.Refuse($"{Field} is empty; expected an absolute https URL such as {Example}");
        }

        if (url.Length > MaximumLength)
        {
            return WebhookTargetCheck.Refuse(
                $"{Field} is {url.Length} characters long, longer than allowed: the limit is {MaximumLength}");
        }

        if (url.Trim().Length != url.Length)
        {
            return WebhookTargetCheck.Refuse($"{Field} must be an absolute URL without surrounding spaces");
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? Check(uri, requireHttps, allowPrivateTargets)
            : NotAbsolute();
    }

    /// <summary>
    /// <see cref="Check(string?, bool, bool)"/> for an already parsed URL (length and spacing aside).
    /// </summary>
    public static WebhookTargetCheck Check(Uri uri, bool requireHttps, bool allowPrivateTargets)
    {
        ArgumentNullException.ThrowIfNull(uri);

        // Rooted paths parse as absolute file: URIs on Unix; the scheme check below refuses them.
        if (!uri.IsAbsoluteUri || uri.HostNameType == UriHostNameType.Unknown)
        {
            return NotAbsolute();
        }

        var https = uri.Scheme == Uri.UriSchemeHttps;
        var http = uri.Scheme == Uri.UriSchemeHttp;
        if (http && requireHttps)
        {
            return WebhookTargetCheck.Refuse(
                $"{Field} must use https (plain http is allowed only in local development)");
        }

        if (!https && !http)
        {
            return WebhookTargetCheck.Refuse(
                $"{Field} must be an {(requireHttps ? "https" : "https or http")} URL, got the scheme '{uri.Scheme}'");
        }

        // Credentials in a URL would be stored and echoed with the generation, and logged by proxies on the way.
        if (uri.UserInfo.Length > 0)
        {
            return WebhookTargetCheck.Refuse(
                $"{Field} must not carry a user name or password; put credentials in the path or query instead");
        }

        if (uri.IdnHost.Length == 0)
        {
            return WebhookTargetCheck.Refuse($"{Field} has no host");
        }

        if (!allowPrivateTargets && DescribeHost(uri) is { } refusal)
        {
            return WebhookTargetCheck.Refuse(refusal);
        }

        return WebhookTargetCheck.Allow(uri);
    }

    /// <summary>
    /// Why <paramref name="address"/> must not receive webhooks (e.g. <c>"10.1.2.3 is a private address"</c>), or
    /// <see langword="null"/> when it is public unicast. IPv6 forms that embed an IPv4 address are judged by it.
    /// </summary>
    public static string? DescribeNonPublic(IPAddress address) => NonPublicAddressRanges.Describe(address);

    private static string? DescribeHost(Uri uri)
    {
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            // A zone id ("%eth0") only makes sense on link-local addresses; judge the address without it, and refuse
            // what does not parse rather than let it through unjudged.
            var host = Unbracket(uri.IdnHost);
            var zone = host.IndexOf('%', StringComparison.Ordinal);
            if (!IPAddress.TryParse(zone < 0 ? host : host[..zone], out var literal))
            {
                return $"{Field}'s address '{uri.Host}' could not be parsed; {PublicOnly}";
            }

            return NonPublicAddressRanges.Describe(literal) is { } kind
                ? $"{Field} targets a non-public address: {kind}; {PublicOnly}"
                : null;
        }

        // RFC 6761: localhost and every name under it mean this machine, whatever DNS says.
        var name = uri.IdnHost.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
               || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? $"{Field} targets '{uri.IdnHost}', a loopback host name (it always names this machine); {PublicOnly}"
            : null;
    }

    private static WebhookTargetCheck NotAbsolute() =>
        WebhookTargetCheck.Refuse($"{Field} must be an absolute URL such as {Example}");

    /// <summary>The address inside <c>[…]</c>, as URIs write IPv6 literals.</summary>
    internal static string Unbracket(string host) =>
        host.Length > 1 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
}
