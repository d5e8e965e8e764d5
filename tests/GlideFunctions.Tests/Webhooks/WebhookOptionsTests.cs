using GlideFunctions.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GlideFunctions.Tests.Webhooks;

public sealed class WebhookOptionsTests
{
    [Fact]
    public void Defaults_are_safe_for_production()
    {
        var options = Resolve([]);

        Assert.False(options.AllowPrivateTargets);
        Assert.True(options.RequireHttps);
        Assert.Equal(TimeSpan.FromHours(1), options.MaxRetryWindow);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
        Assert.Equal(20, options.MaxAttempts);
    }

    [Fact]
    public void Binds_from_the_double_underscore_app_settings()
    {
        var options = Resolve(new()
        {
            ["Webhooks:AllowPrivateTargets"] = "true",
            ["Webhooks:RequireHttps"] = "false",
            ["Webhooks:MaxRetryWindow"] = "02:00:00",
            ["Webhooks:AttemptTimeout"] = "00:00:05",
            ["Webhooks:MaxAttempts"] = "4",
            ["Webhooks:InitialRetryDelay"] = "00:00:02",
            ["Webhooks:MaxRetryDelay"] = "00:01:00",
        });

        Assert.True(options.AllowPrivateTargets);
        Assert.False(options.RequireHttps);
        Assert.Equal(TimeSpan.FromHours(2), options.MaxRetryWindow);
        Assert.Equal(TimeSpan.FromSeconds(5), options.AttemptTimeout);
        Assert.Equal(4, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.InitialRetryDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxRetryDelay);
    }

    [Theory]
    [InlineData("MaxAttempts", "0", "MaxAttempts")]
    [InlineData("AttemptTimeout", "00:00:00", "AttemptTimeout")]
    [InlineData("MaxRetryWindow", "8.00:00:00", "MaxRetryWindow")]
    [InlineData("InitialRetryDelay", "00:20:00", "InitialRetryDelay")]
    public void Out_of_range_values_fail_validation(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [$"Webhooks:{key}"] = value }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_attempt_timeout_as_long_as_the_window_fails_validation()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Webhooks:MaxRetryWindow"] = "00:02:00",
            ["Webhooks:AttemptTimeout"] = "00:02:00",
        }));

        Assert.Contains("shorter than MaxRetryWindow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_secret_webhooks_are_disabled()
    {
        var options = Resolve(new() { ["Webhooks:Secret"] = "" });

        Assert.False(options.WebhooksEnabled);
        var error = Assert.Throws<InvalidOperationException>(options.GetSecret);
        Assert.Contains("Webhooks__Secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_enables_webhooks_and_parses()
    {
        var secret = WebhookSecret.Generate().Encode();

        var options = Resolve(new() { ["Webhooks:Secret"] = secret });

        Assert.True(options.WebhooksEnabled);
        Assert.Equal(secret, options.GetSecret().Encode());
    }

    [Theory]
    [InlineData("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", "must start with 'whsec_'")]
    [InlineData("whsec_not*base64", "not valid base64")]
    [InlineData("whsec_c2hvcnQ=", "decodes to 5 bytes")]
    public void A_malformed_secret_fails_validation_without_showing_it(string secret, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Webhooks:Secret"] = secret }));

        Assert.Contains("Secret", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }

    private static WebhookOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .Services
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<WebhookOptions>>().Value;
    }
}
