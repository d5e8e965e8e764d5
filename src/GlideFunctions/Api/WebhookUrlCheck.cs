using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace GlideFunctions.Api;

/// <summary>
/// The request-time check of a <c>webhook</c> URL: absolute, https (http only when allowed), no user info, and no
/// host that is literally a loopback, private, link-local or otherwise non-public address.
/// </summary>
/// <remarks>
/// This only looks at the URL's text, so that a bad target is refused with a 400 before anything runs. A host name
/// can still resolve to a private address (or be rebound later); the delivery side resolves names and applies the
/// full policy on every attempt.
/// </remarks>
public static class WebhookUrlCheck
{
    /// <summary>Longest accepted URL, the limit browsers and most proxies agree on.</summary>
    public const int MaxLength = 2048;

    private const string Field = "webhook";

    /// <summary>
    /// Checks <paramref name="url"/>: on success <paramref name="uri"/> is the parsed URL; on failure
    /// <paramref name="problem"/> is a message that names the field, the value and the rule broken.
    /// <paramref name="allowInsecure"/> admits <c>http</c>, <paramref name="allowPrivate"/> non-public hosts.
    /// </summary>
    public static bool TryValidate(
        string url,
        bool allowInsecure,
        bool allowPrivate,
        [NotNullWhen(true)] out Uri? uri,
        [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        uri = null;
        problem = Check(url, allowInsecure, allowPrivate, ref uri);
        if (problem is not null)
        {
            uri = null;
            return false;
        }

        return uri is not null;
    }

    /// <summary>
    /// Why <paramref name="address"/> is not a public unicast address (e.g. <c>"a loopback address"</c>), or null
    /// when it is one.
    /// </summary>
    public static string? DescribeNonPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => DescribeIPv4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => DescribeIPv6(address),
            _ => "not an IP address",
        };
    }

    private static string? Check(string url, bool allowInsecure, bool allowPrivate, ref Uri? uri)
    {
        var shown = Texts.Quote(url);
        if (url.Length > MaxLength)
        {
            return $"{Field} is {url.Length} characters long; the limit is {MaxLength}";
        }

        if (url.Length == 0 || url.Trim().Length != url.Length)
        {
            return $"{Field} must be an absolute URL without surrounding spaces, got {shown}";
        }

        // Rooted paths parse as absolute file: URIs on Unix; the scheme check below refuses them.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.HostNameType == UriHostNameType.Unknown)
        {
            return $"{Field} must be an absolute URL such as 'https://example.com/hooks/glide', got {shown}";
        }

        var secure = parsed.Scheme == Uri.UriSchemeHttps;
        var insecure = parsed.Scheme == Uri.UriSchemeHttp;
        if (!secure && !(insecure && allowInsecure))
        {
            return insecure
                ? $"{Field} must use https, got {shown} (plain http is allowed only in local development)"
                : $"{Field} must be an https URL, got the scheme '{parsed.Scheme}' in {shown}";
        }

        if (parsed.UserInfo.Length > 0)
        {
            return $"{Field} must not carry a user name or password; put credentials in the path or query instead";
        }

        if (!allowPrivate && DescribeHost(parsed) is { } kind)
        {
            return $"{Field} targets {kind} ({parsed.Host}); webhooks are delivered only to public hosts";
        }

        uri = parsed;
        return null;
    }

    private static string? DescribeHost(Uri uri)
    {
        switch (uri.HostNameType)
        {
            case UriHostNameType.IPv4:
            case UriHostNameType.IPv6:
                // IdnHost drops the brackets of an IPv6 literal; a zone id ("%eth0") only appears on link-local ones.
                var host = uri.IdnHost;
                var zone = host.IndexOf('%', StringComparison.Ordinal);
                return IPAddress.TryParse(zone < 0 ? host : host[..zone], out var address)
                    ? DescribeNonPublic(address)
                    : "an unparseable address";
            default:
                // RFC 6761: "localhost" and every name under it resolve to loopback without asking DNS.
                var name = uri.IdnHost.TrimEnd('.');
                return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                       || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
                    ? "a loopback host name"
                    : null;
        }
    }

    // IANA IPv4 special-purpose registry, the entries that must never receive a webhook.
    private static string? DescribeIPv4(byte[] b) => b switch
    {
        [0, ..] => "an unspecified (this-network) address",
        [127, ..] => "a loopback address",
        [10, ..] => "a private address",
        [172, >= 16 and <= 31, ..] => "a private address",
        [192, 168, ..] => "a private address",
        [100, >= 64 and <= 127, ..] => "a shared (carrier-grade NAT) address",
        [169, 254, ..] => "a link-local address",
        [>= 224 and <= 239, ..] => "a multicast address",
        [>= 240, ..] => "a reserved or broadcast address",
        _ => null,
    };

    private static string? DescribeIPv6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Any))
        {
            return "an unspecified address";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "a loopback address";
        }

        if (address.IsIPv6LinkLocal)
        {
            return "a link-local address";
        }

        if (address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal)
        {
            return "a private address";
        }

        return address.IsIPv6Multicast ? "a multicast address" : null;
    }
}
