using System.Net.Sockets;
using GlideFunctions.Webhooks;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace GlideFunctions.Tests.Webhooks;

public sealed class WebhookTargetPolicyTests
{
    /// <summary>
    /// URL, allowed in production (defaults), allowed with the local-development settings (private targets and http
    /// allowed), and a word the production refusal must contain. Public addresses here are never contacted: the
    /// request-time check reads the URL's text only.
    /// </summary>
    public static TheoryData<string, bool, bool, string> Urls => new()
    {
        { "https://hooks.example.com/glide", true, true, "" },
        { "https://hooks.example.com:8443/a/b?token=x#frag", true, true, "" },
        { "https://8.8.8.8/hook", true, true, "" },
        { "https://[2606:4700:4700::1111]/hook", true, true, "" },
        { "https://172.32.0.1/", true, true, "" },
        { "https://100.128.0.1/", true, true, "" },
        { "https://[::ffff:8.8.8.8]/", true, true, "" },
        { "https://[2002:808:808::1]/", true, true, "" },
        { "http://hooks.example.com/glide", false, true, "https" },
        { "https://user:secret@hooks.example.com/", false, false, "credentials" },
        { "https://user@hooks.example.com/", false, false, "credentials" },
        { "https://127.0.0.1/", false, true, "loopback" },
        { "https://127.200.1.1:9000/", false, true, "loopback" },
        { "https://2130706433/", false, true, "loopback" },
        { "https://0x7f.0.0.1/", false, true, "loopback" },
        { "https://localhost/", false, true, "loopback" },
        { "https://LOCALHOST./", false, true, "loopback" },
        { "https://hooks.localhost:7071/", false, true, "loopback" },
        { "https://[::1]/", false, true, "loopback" },
        { "https://10.0.0.5/", false, true, "private" },
        { "https://172.16.0.1/", false, true, "private" },
        { "https://172.31.255.254/", false, true, "private" },
        { "https://192.168.1.10/", false, true, "private" },
        { "https://169.254.169.254/latest/meta-data/", false, true, "link-local" },
        { "https://169.254.1.1/", false, true, "link-local" },
        { "https://168.63.129.16/", false, true, "Azure" },
        { "https://100.64.0.1/", false, true, "carrier-grade NAT" },
        { "https://100.127.255.254/", false, true, "carrier-grade NAT" },
        { "https://0.0.0.0/", false, true, "unspecified" },
        { "https://[::]/", false, true, "unspecified" },
        { "https://224.0.0.1/", false, true, "multicast" },
        { "https://[ff02::1]/", false, true, "multicast" },
        { "https://255.255.255.255/", false, true, "broadcast" },
        { "https://240.0.0.1/", false, true, "reserved" },
        { "https://[fe80::1]/", false, true, "link-local" },
        { "https://[fe80::1%25eth0]/", false, true, "" },
        { "https://[fc00::1]/", false, true, "unique-local" },
        { "https://[fd12:3456:789a::1]/", false, true, "unique-local" },
        { "https://[::ffff:127.0.0.1]/", false, true, "loopback" },
        { "https://[::ffff:10.1.2.3]/", false, true, "private" },
        { "https://[::ffff:169.254.169.254]/", false, true, "link-local" },
        { "https://[::127.0.0.1]/", false, true, "IPv4-compatible" },
        { "https://[64:ff9b::7f00:1]/", false, true, "NAT64" },
        { "https://[2002:a00:1::]/", false, true, "6to4" },
        { "https://192.0.2.10/", false, true, "documentation" },
        { "ftp://hooks.example.com/", false, false, "https" },
        { "file:///etc/passwd", false, false, "https" },
        { "/relative/path", false, false, "" },
        { "javascript:alert(1)", false, false, "" },
        { "gopher://127.0.0.1:25/", false, false, "" },
        { "not a url", false, false, "absolute" },
        { "", false, false, "empty" },
        { "https://hooks.example.com/" + "aaaaaaaaaa" + new string('a', 2040), false, false, "longer than" },
    };

    [Theory]
    [MemberData(nameof(Urls))]
    public void Validates_request_urls(string url, bool allowedInProduction, bool allowedInDevelopment, string reason)
    {
        var production = Policy(new WebhookOptions()).ValidateUrl(url);
        var development = Policy(Development).ValidateUrl(url);

        Assert.Equal(allowedInProduction, production.IsAllowed);
        Assert.Equal(allowedInDevelopment, development.IsAllowed);
        if (allowedInProduction)
        {
            Assert.Equal(new Uri(url), production.Target);
            Assert.Null(production.Reason);
        }
        else
        {
            Assert.Equal(WebhookTargetVerdict.Refused, production.Verdict);
            Assert.Null(production.Target);
            Assert.Contains(reason, production.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Http_is_allowed_when_https_is_not_required_but_private_targets_still_are_not()
    {
        var policy = Policy(new WebhookOptions { RequireHttps = false });

        Assert.True(policy.ValidateUrl("http://hooks.example.com/").IsAllowed);
        Assert.False(policy.ValidateUrl("http://127.0.0.1:7071/").IsAllowed);
    }

    [Fact]
    public void Private_targets_still_need_https_unless_that_is_relaxed_too()
    {
        var policy = Policy(new WebhookOptions { AllowPrivateTargets = true });

        Assert.True(policy.ValidateUrl("https://127.0.0.1/").IsAllowed);
        Assert.False(policy.ValidateUrl("http://127.0.0.1/").IsAllowed);
    }

    [Fact]
    public async Task A_public_host_name_is_allowed_after_resolution()
    {
        var resolver = new StaticHostResolver().Add("hooks.example.com", "8.8.8.8", "2606:4700:4700::1111");

        var check = await Policy(new WebhookOptions(), resolver)
            .CheckResolvedAsync(new Uri("https://hooks.example.com/glide"), CancellationToken.None);

        Assert.True(check.IsAllowed);
        Assert.Equal(1, resolver.Lookups);
    }

    [Theory]
    [InlineData("10.1.2.3", "private")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("fd00::5", "unique-local")]
    public async Task A_host_name_that_resolves_inside_is_refused(string address, string reason)
    {
        var resolver = new StaticHostResolver().Add("innocent.example.com", address);

        var check = await Policy(new WebhookOptions(), resolver)
            .CheckResolvedAsync(new Uri("https://innocent.example.com/"), CancellationToken.None);

        Assert.Equal(WebhookTargetVerdict.Refused, check.Verdict);
        Assert.StartsWith("'innocent.example.com' resolves to ", check.Reason, StringComparison.Ordinal);
        Assert.Contains(reason, check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_inside_address_among_public_ones_refuses_the_host()
    {
        var resolver = new StaticHostResolver().Add("mixed.example.com", "8.8.8.8", "192.168.0.10");

        var check = await Policy(new WebhookOptions(), resolver)
            .CheckResolvedAsync(new Uri("https://mixed.example.com/"), CancellationToken.None);

        Assert.Equal(WebhookTargetVerdict.Refused, check.Verdict);
        Assert.Contains("192.168.0.10", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Private_resolutions_are_allowed_in_development()
    {
        var resolver = new StaticHostResolver().Add("receiver.local", "192.168.0.10");

        var check = await Policy(Development, resolver)
            .CheckResolvedAsync(new Uri("http://receiver.local:8080/"), CancellationToken.None);

        Assert.True(check.IsAllowed);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_unresolved_not_refused()
    {
        var check = await Policy(new WebhookOptions(), new StaticHostResolver())
            .CheckResolvedAsync(new Uri("https://gone.example.com/"), CancellationToken.None);

        Assert.Equal(WebhookTargetVerdict.Unresolved, check.Verdict);
        Assert.Contains("'gone.example.com' did not resolve", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_with_no_addresses_is_unresolved()
    {
        var check = await Policy(new WebhookOptions(), new StaticHostResolver().Add("empty.example.com"))
            .CheckResolvedAsync(new Uri("https://empty.example.com/"), CancellationToken.None);

        Assert.Equal(WebhookTargetVerdict.Unresolved, check.Verdict);
    }

    [Fact]
    public async Task Url_rules_apply_before_any_lookup()
    {
        var resolver = new StaticHostResolver().Add("hooks.example.com", "8.8.8.8");
        var policy = Policy(new WebhookOptions(), resolver);

        var http = await policy.CheckResolvedAsync(new Uri("http://hooks.example.com/"), CancellationToken.None);
        var literal = await policy.CheckResolvedAsync(new Uri("https://10.0.0.1/"), CancellationToken.None);
        var localhost = await policy.CheckResolvedAsync(new Uri("https://localhost/"), CancellationToken.None);

        Assert.Equal(WebhookTargetVerdict.Refused, http.Verdict);
        Assert.Equal(WebhookTargetVerdict.Refused, literal.Verdict);
        Assert.Equal(WebhookTargetVerdict.Refused, localhost.Verdict);
        Assert.Equal(0, resolver.Lookups);
    }

    [Fact]
    public async Task Literal_public_addresses_need_no_lookup()
    {
        var resolver = new StaticHostResolver();

        var check = await Policy(new WebhookOptions(), resolver)
            .CheckResolvedAsync(new Uri("https://8.8.8.8/"), CancellationToken.None);

        Assert.True(check.IsAllowed);
        Assert.Equal(0, resolver.Lookups);
    }

    [Fact]
    public async Task The_connect_hook_refuses_a_name_that_resolves_inside_and_connects_nowhere()
    {
        // The name passed no earlier check here (none ran); the hook alone must stop the connection.
        await using var server = new LoopbackHttpServer(new LoopbackResponse(200));
        var policy = Policy(
            new WebhookOptions { RequireHttps = false },
            new StaticHostResolver().Add("rebound.example.com", "127.0.0.1"));
        using var client = new HttpClient(WebhookSender.CreatePrimaryHandler(policy));

        var failure = await Assert.ThrowsAsync<HttpRequestException>(
            () => client.GetAsync(new Uri($"http://rebound.example.com:{server.Port}/")));

        Assert.Contains("loopback", failure.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task The_connect_hook_connects_to_the_address_it_checked()
    {
        await using var server = new LoopbackHttpServer(new LoopbackResponse(204));
        var policy = Policy(Development, new StaticHostResolver().Add("receiver.test", "127.0.0.1"));
        using var client = new HttpClient(WebhookSender.CreatePrimaryHandler(policy));

        using var response = await client.GetAsync(new Uri($"http://receiver.test:{server.Port}/"));

        Assert.Equal(204, (int)response.StatusCode);
        Assert.Equal($"receiver.test:{server.Port}", Assert.Single(server.Requests).Headers["Host"]);
    }

    [Fact]
    public async Task The_connect_hook_reports_a_name_that_does_not_resolve()
    {
        var policy = Policy(Development, new StaticHostResolver());
        using var client = new HttpClient(WebhookSender.CreatePrimaryHandler(policy));

        var failure = await Assert.ThrowsAsync<HttpRequestException>(
            () => client.GetAsync(new Uri("http://unknown.test:1/")));

        Assert.Contains("did not resolve", failure.ToString(), StringComparison.Ordinal);
        Assert.IsNotType<SocketException>(failure.InnerException);
    }

    private static WebhookOptions Development => new() { AllowPrivateTargets = true, RequireHttps = false };

    private static WebhookTargetPolicy Policy(WebhookOptions options, StaticHostResolver? resolver = null) =>
        new(MsOptions.Create(options), resolver ?? new StaticHostResolver());
}
