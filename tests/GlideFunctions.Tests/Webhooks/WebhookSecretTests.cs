using GlideFunctions.Webhooks;

namespace GlideFunctions.Tests.Webhooks;

public sealed class WebhookSecretTests
{
    [Fact]
    public void Parses_the_whsec_form_into_the_raw_key()
    {
        var secret = WebhookSecret.Parse("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), secret.Key.ToArray());
    }

    [Fact]
    public void A_generated_secret_round_trips_through_its_encoded_form()
    {
        var secret = WebhookSecret.Generate();

        Assert.Equal(32, secret.Key.Length);
        Assert.StartsWith("whsec_", secret.Encode(), StringComparison.Ordinal);
        Assert.Equal(secret.Key.ToArray(), WebhookSecret.Parse(secret.Encode()).Key.ToArray());
    }

    [Fact]
    public void Generated_secrets_differ()
    {
        Assert.NotEqual(WebhookSecret.Generate().Encode(), WebhookSecret.Generate().Encode());
    }

    [Theory]
    [InlineData(24)]
    [InlineData(64)]
    public void Generates_any_length_the_specification_allows(int bytes)
    {
        Assert.Equal(bytes, WebhookSecret.Generate(bytes).Key.Length);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(65)]
    public void Refuses_to_generate_lengths_outside_the_specification(int bytes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WebhookSecret.Generate(bytes));
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "must start with 'whsec_'")]
    [InlineData("WHSEC_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "must start with 'whsec_'")]
    [InlineData("whsec_", "not valid base64")]
    [InlineData("whsec_not*base64!", "not valid base64")]
    [InlineData("whsec_AAECAwQFBgcICQoLDA0ODw==", "decodes to 16 bytes")]
    [InlineData("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", "")]
    public void Parsing_errors_say_what_is_wrong(string? value, string expected)
    {
        var parsed = WebhookSecret.TryParse(value, out var secret, out var error);

        if (expected.Length == 0)
        {
            // 24 bytes: the shortest key accepted, the control for the row above.
            Assert.True(parsed);
            Assert.Equal(24, secret!.Key.Length);
            return;
        }

        Assert.False(parsed);
        Assert.Null(secret);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        var thrown = Assert.Throws<FormatException>(() => WebhookSecret.Parse(value));
        Assert.Equal(error, thrown.Message);
    }

    [Fact]
    public void A_key_longer_than_64_bytes_is_refused()
    {
        var encoded = "whsec_" + Convert.ToBase64String(new byte[65]);

        Assert.False(WebhookSecret.TryParse(encoded, out _, out var error));
        Assert.Contains("decodes to 65 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_never_shows_the_key()
    {
        var secret = WebhookSecret.Parse("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

        Assert.Equal("whsec_***", secret.ToString());
        Assert.DoesNotContain("AAECAw", $"{secret}", StringComparison.Ordinal);
    }
}
