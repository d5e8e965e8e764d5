using System.Text;
using GlideFunctions.Api;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Tests.Api;

/// <summary>How the webhook configuration reaches request parsing.</summary>
public sealed class GenerationParserWebhookOptionsTests
{
    private const string WithWebhook = """{ "prompt": "a", "webhook": "https://example.com/hook" }""";

    [Fact]
    public void Without_a_signing_secret_a_webhook_is_refused_and_the_rest_still_parses()
    {
        var options = GenerationParserOptions.Http.WithWebhookOptions(new WebhookOptions());

        var refused = Parse(WithWebhook, options);
        var plain = Parse("""{ "prompt": "a" }""", options);

        var error = Assert.Single(refused.Errors);
        Assert.Equal("webhook", error.Field);
        Assert.Contains("webhooks are not enabled", error.Message, StringComparison.Ordinal);
        Assert.True(plain.IsValid);
    }

    [Fact]
    public void With_a_secret_the_webhook_options_set_the_url_rules()
    {
        var production = GenerationParserOptions.Http.WithWebhookOptions(
            new WebhookOptions { Secret = WebhookSecret.Generate().Encode() });
        var development = GenerationParserOptions.Queue.WithWebhookOptions(new WebhookOptions
        {
            Secret = WebhookSecret.Generate().Encode(),
            RequireHttps = false,
            AllowPrivateTargets = true,
        });
        const string Local = """{ "prompt": "a", "webhook": "http://127.0.0.1:7071/hook" }""";

        Assert.True(Parse(WithWebhook, production).IsValid);
        Assert.False(Parse(Local, production).IsValid);
        Assert.Equal("http://127.0.0.1:7071/hook", Parse(Local, development).Input?.Webhook);
        Assert.True(development.AllowClientId);
    }

    [Fact]
    public void The_presets_accept_webhooks_unless_told_otherwise()
    {
        Assert.True(GenerationParserOptions.Http.WebhooksEnabled);
        Assert.True(GenerationParserOptions.Queue.WebhooksEnabled);
    }

    private static GenerationParseResult Parse(string json, GenerationParserOptions options) =>
        GenerationRequestParser.Parse(Encoding.UTF8.GetBytes(json), options);
}
