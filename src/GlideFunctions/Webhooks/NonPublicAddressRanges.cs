using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace GlideFunctions.Webhooks;

/// <summary>
/// Addresses a webhook must not reach from the function's network: loopback, private, link-local (with the cloud
/// metadata endpoint), shared, unspecified, multicast, broadcast and reserved blocks, and IPv6 forms that embed one
/// of them. Sources: the IANA IPv4 and IPv6 special-purpose address registries (RFC 6890 and updates).
/// </summary>
internal static class NonPublicAddressRanges
{
    // First match wins: the broadcast address sits inside 240/4 but deserves its own name.
    private static readonly (uint Network, uint Mask, string Kind)[] V4 =
    [
        V4Range("0.0.0.0/8", "an unspecified ('this network')"),
        V4Range("10.0.0.0/8", "a private"),
        V4Range("100.64.0.0/10", "a shared (carrier-grade NAT)"),
        V4Range("127.0.0.0/8", "a loopback"),

        // Azure's WireServer: a public-looking address that every Azure VM (and function host) reaches internally.
        V4Range("168.63.129.16/32", "an Azure platform (WireServer)"),
        V4Range("169.254.169.254/32", "the cloud metadata (link-local)"),
        V4Range("169.254.0.0/16", "a link-local"),
        V4Range("172.16.0.0/12", "a private"),
        V4Range("192.0.0.0/24", "an IETF protocol assignment"),
        V4Range("192.0.2.0/24", "a documentation"),
        V4Range("192.168.0.0/16", "a private"),
        V4Range("198.18.0.0/15", "a benchmarking"),
        V4Range("198.51.100.0/24", "a documentation"),
        V4Range("203.0.113.0/24", "a documentation"),
        V4Range("224.0.0.0/4", "a multicast"),
        V4Range("255.255.255.255/32", "the broadcast"),
        V4Range("240.0.0.0/4", "a reserved"),
    ];

    private static readonly (UInt128 Network, UInt128 Mask, string Kind)[] V6 =
    [
        V6Range("::/128", "an unspecified"),
        V6Range("::1/128", "a loopback"),

        // Deprecated IPv4-compatible form (::a.b.c.d): no legitimate receiver uses it.
        V6Range("::/96", "an IPv4-compatible (deprecated)"),
        V6Range("64:ff9b:1::/48", "a local-use NAT64"),
        V6Range("100::/64", "a discard-only"),

        // Teredo hides the client's IPv4 address; there is no public receiver we could vouch for behind it.
        V6Range("2001::/32", "a Teredo"),
        V6Range("2001:db8::/32", "a documentation"),
        V6Range("fc00::/7", "a unique-local (private)"),
        V6Range("fe80::/10", "a link-local"),
        V6Range("fec0::/10", "a site-local (deprecated)"),
        V6Range("ff00::/8", "a multicast"),
    ];

    private static readonly (UInt128 Network, UInt128 Mask) Nat64 = V6Prefix("64:ff9b::/96");
    private static readonly (UInt128 Network, UInt128 Mask) SixToFour = V6Prefix("2002::/16");

    /// <summary>Why <paramref name="address"/> is not public unicast, or <see langword="null"/> if it is.</summary>
    public static string? Describe(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => DescribeV4(address),
            AddressFamily.InterNetworkV6 => DescribeV6(address),
            _ => $"{address} is not an IP address",
        };
    }

    private static string? DescribeV4(IPAddress address)
    {
        var value = BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
        foreach (var (network, mask, kind) in V4)
        {
            if ((value & mask) == network)
            {
                return $"{address} is {kind} address";
            }
        }

        return null;
    }

    private static string? DescribeV6(IPAddress address)
    {
        // Each of these reaches, or is translated to, an IPv4 address: judge that address.
        if (address.IsIPv4MappedToIPv6)
        {
            return Embedded(address, address.MapToIPv4(), "maps to");
        }

        var bytes = address.GetAddressBytes();
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        if ((value & Nat64.Mask) == Nat64.Network)
        {
            return Embedded(address, new IPAddress(bytes.AsSpan(12, 4)), "translates (NAT64) to");
        }

        if ((value & SixToFour.Mask) == SixToFour.Network)
        {
            return Embedded(address, new IPAddress(bytes.AsSpan(2, 4)), "tunnels (6to4) to");
        }

        foreach (var (network, mask, kind) in V6)
        {
            if ((value & mask) == network)
            {
                return $"{address} is {kind} address";
            }
        }

        return null;
    }

    private static string? Embedded(IPAddress address, IPAddress v4, string relation) =>
        DescribeV4(v4) is { } inner ? $"{address} {relation} {v4}, and {inner}" : null;

    private static (uint, uint, string) V4Range(string cidr, string kind)
    {
        var (address, prefix) = SplitCidr(cidr);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()) & mask, mask, kind);
    }

    private static (UInt128, UInt128, string) V6Range(string cidr, string kind)
    {
        var (network, mask) = V6Prefix(cidr);
        return (network, mask, kind);
    }

    private static (UInt128 Network, UInt128 Mask) V6Prefix(string cidr)
    {
        var (address, prefix) = SplitCidr(cidr);
        var mask = prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix);
        return (BinaryPrimitives.ReadUInt128BigEndian(address.GetAddressBytes()) & mask, mask);
    }

    private static (IPAddress Address, int Prefix) SplitCidr(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        return (IPAddress.Parse(cidr.AsSpan(0, slash)),
            int.Parse(cidr.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}
