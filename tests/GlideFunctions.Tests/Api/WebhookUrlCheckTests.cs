using System.Net;
using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class WebhookUrlCheckTests
{
    [Theory]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("127.255.0.9", "a loopback address")]
    [InlineData("10.1.2.3", "a private address")]
    [InlineData("172.16.0.1", "a private address")]
    [InlineData("172.31.255.255", "a private address")]
    [InlineData("192.168.100.1", "a private address")]
    [InlineData("169.254.169.254", "a link-local address")]
    [InlineData("100.100.100.100", "a shared (carrier-grade NAT) address")]
    [InlineData("0.0.0.0", "an unspecified (this-network) address")]
    [InlineData("224.0.0.1", "a multicast address")]
    [InlineData("255.255.255.255", "a reserved or broadcast address")]
    [InlineData("::", "an unspecified address")]
    [InlineData("::1", "a loopback address")]
    [InlineData("::ffff:10.0.0.1", "a private address")]
    [InlineData("fc00::1", "a private address")]
    [InlineData("fe80::1", "a link-local address")]
    [InlineData("ff02::1", "a multicast address")]
    [InlineData("8.8.8.8", null)]
    [InlineData("172.32.0.1", null)]
    [InlineData("100.128.0.1", null)]
    [InlineData("2606:4700::1111", null)]
    public void Describes_non_public_addresses(string address, string? kind)
    {
        Assert.Equal(kind, WebhookUrlCheck.DescribeNonPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("https://0x7f.0.0.1/")]
    [InlineData("https://2130706433/")]
    [InlineData("https://LOCALHOST./")]
    public void Sees_through_other_spellings_of_loopback(string url)
    {
        Assert.False(WebhookUrlCheck.TryValidate(url, false, false, out var uri, out var problem));
        Assert.Null(uri);
        Assert.Contains("loopback", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Returns_the_parsed_url()
    {
        var valid = WebhookUrlCheck.TryValidate(
            "https://example.com/h?q=1", allowInsecure: false, allowPrivate: false, out var uri, out var problem);

        Assert.True(valid);
        Assert.Null(problem);
        Assert.NotNull(uri);
        Assert.Equal("example.com", uri.Host);
    }
}
