using System.Net;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Tests.Webhooks;

/// <summary>
/// The shared URL rules directly; <see cref="WebhookTargetPolicyTests"/> covers them under the options and the request
/// parser's tests under its options.
/// </summary>
public sealed class WebhookUrlRulesTests
{
    [Theory]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("127.255.0.9", "a loopback address")]
    [InlineData("10.1.2.3", "a private address")]
    [InlineData("172.16.0.1", "a private address")]
    [InlineData("172.31.255.255", "a private address")]
    [InlineData("192.168.100.1", "a private address")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("169.254.1.1", "a link-local address")]
    [InlineData("100.100.100.100", "a shared (carrier-grade NAT) address")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "a multicast address")]
    [InlineData("255.255.255.255", "the broadcast address")]
    [InlineData("::", "an unspecified address")]
    [InlineData("::1", "a loopback address")]
    [InlineData("::ffff:10.0.0.1", "a private address")]
    [InlineData("fc00::1", "private")]
    [InlineData("fe80::1", "a link-local address")]
    [InlineData("ff02::1", "a multicast address")]
    [InlineData("8.8.8.8", null)]
    [InlineData("172.32.0.1", null)]
    [InlineData("100.128.0.1", null)]
    [InlineData("2606:4700::1111", null)]
    public void Describes_non_public_addresses(string address, string? kind)
    {
        var description = WebhookUrlRules.DescribeNonPublic(IPAddress.Parse(address));

        if (kind is null)
        {
            Assert.Null(description);
        }
        else
        {
            Assert.StartsWith(address, description, StringComparison.Ordinal);
            Assert.Contains(kind, description, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("https://0x7f.0.0.1/")]
    [InlineData("https://2130706433/")]
    [InlineData("https://LOCALHOST./")]
    public void Sees_through_other_spellings_of_loopback(string url)
    {
        var check = WebhookUrlRules.Check(url, requireHttps: true, allowPrivateTargets: false);

        Assert.Equal(WebhookTargetVerdict.Refused, check.Verdict);
        Assert.Null(check.Target);
        Assert.Contains("loopback", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Returns_the_parsed_url()
    {
        var check = WebhookUrlRules.Check("https://example.com/h?q=1", requireHttps: true, allowPrivateTargets: false);

        Assert.True(check.IsAllowed);
        Assert.Null(check.Reason);
        Assert.Equal("example.com", check.Target!.Host);
    }

    [Theory]
    [InlineData("http://hooks.example.com/glide?token=s3cret")]
    [InlineData("https://user:s3cret@hooks.example.com/glide?token=s3cret")]
    [InlineData("https://10.0.0.5/glide?token=s3cret")]
    [InlineData("ftp://hooks.example.com/glide?token=s3cret")]
    [InlineData("https://localhost/glide?token=s3cret")]
    [InlineData(" https://hooks.example.com/glide?token=s3cret")]
    public void Reasons_never_repeat_the_path_query_or_credentials(string url)
    {
        // They are logged with each delivery attempt, and webhook URLs often carry the receiver's token.
        var check = WebhookUrlRules.Check(url, requireHttps: true, allowPrivateTargets: false);

        Assert.False(check.IsAllowed);
        Assert.DoesNotContain("s3cret", check.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("/glide", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_is_named_as_allowed_only_when_it_is()
    {
        Assert.Contains(
            "an https URL", WebhookUrlRules.Check("ftp://x/", true, false).Reason, StringComparison.Ordinal);
        Assert.Contains(
            "an https or http URL", WebhookUrlRules.Check("ftp://x/", false, false).Reason, StringComparison.Ordinal);
        Assert.True(WebhookUrlRules.Check("http://hooks.example.com/", false, false).IsAllowed);
    }
}
