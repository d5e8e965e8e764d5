using System.Globalization;
using System.Text;
using GlideFunctions.Webhooks;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace GlideFunctions.Tests.Webhooks;

/// <summary>
/// The signer checked against hand-computed HMACs and against an independent implementation of the specification
/// (the StandardWebhooks package), in both directions.
/// </summary>
public sealed class WebhookSignerTests
{
    private static readonly WebhookSecret Secret = WebhookSecret.Generate();

    public static TheoryData<string, string, int> Messages => new()
    {
        { "msg_2fGx1", """{"type":"start","timestamp":"2024-05-01T12:00:00.000Z","data":{}}""", 0 },
        { "gen_0f3c/output/2", """{"type":"output","data":{"prompt":"a corgi on the moon"}}""", -240 },
        { "a", "", 60 },
        { "id.with.dots:and-dashes_42", "not json at all, still signed byte for byte", -5 },
        { "gen_~!#$%&*+", "{}", 1 },
        { "gen_unicode", """{"prompt":"crème brûlée, 東京, 🦊"}""", 120 },
        { new string('x', 256), new string('{', 10_000), -1 },
    };

    [Fact]
    public void Matches_the_example_in_the_standard_webhooks_specification()
    {
        // The specification's published example, recomputed independently (Python hmac) before it was written here.
        var secret = WebhookSecret.Parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        var signature = WebhookSigner.Sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""u8, secret);

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Matches_a_hand_computed_hmac()
    {
        // Key 00 01 … 1f; HMAC-SHA256 of "gen_0001-start.1700000000.{"type":"start"}", computed with Python's hmac.
        var secret = WebhookSecret.Parse("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

        var headers = WebhookSigner.CreateHeaders(
            "gen_0001-start", DateTimeOffset.FromUnixTimeSeconds(1700000000), """{"type":"start"}"""u8, secret);

        Assert.Equal(
            new WebhookSignatureHeaders(
                "gen_0001-start", "1700000000", "v1,V6BkaEoMnD25EFIFWm/dQI5PKTy9CIxX48o8w7js/j0="),
            headers);
    }

    [Fact]
    public void The_timestamp_header_is_whole_unix_seconds()
    {
        var headers = WebhookSigner.CreateHeaders(
            "m", new DateTimeOffset(2024, 5, 1, 14, 0, 0, 999, TimeSpan.FromHours(2)), "{}"u8, Secret);

        Assert.Equal("1714564800", headers.Timestamp);
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void The_reference_implementation_verifies_our_signature(string id, string body, int secondsFromNow)
    {
        var timestamp = DateTimeOffset.UtcNow.AddSeconds(secondsFromNow);
        var headers = WebhookSigner.CreateHeaders(id, timestamp, Encoding.UTF8.GetBytes(body), Secret);

        // Throws WebhookVerificationException when the signature, id or timestamp does not check out.
        new StandardWebhook(Secret.Encode()).Verify(body, ToHeaderDictionary(headers));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void We_sign_exactly_as_the_reference_implementation(string id, string body, int secondsFromNow)
    {
        foreach (var timestamp in new[]
        {
            DateTimeOffset.UtcNow.AddSeconds(secondsFromNow),
            DateTimeOffset.FromUnixTimeSeconds(0),
            DateTimeOffset.FromUnixTimeSeconds(4102444800),
        })
        {
            var ours = WebhookSigner.CreateHeaders(id, timestamp, Encoding.UTF8.GetBytes(body), Secret).Signature;

            Assert.Equal(new StandardWebhook(Secret.Encode()).Sign(id, timestamp, body), ours);
        }
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void We_verify_what_the_reference_implementation_signs(string id, string body, int secondsFromNow)
    {
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.AddSeconds(secondsFromNow);
        var signature = new StandardWebhook(Secret.Encode()).Sign(id, timestamp, body);

        var result = WebhookSigner.Verify(
            Secret, id, Unix(timestamp), signature, Encoding.UTF8.GetBytes(body), now, WebhookSigner.DefaultTolerance);

        Assert.Equal(WebhookVerificationResult.Valid, result);
    }

    [Fact]
    public void A_different_secret_does_not_verify()
    {
        var (headers, body, now) = SignedMessage();

        Assert.Equal(
            WebhookVerificationResult.NoMatchingSignature, Verify(headers, body, now, WebhookSecret.Generate()));
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(
            () => new StandardWebhook(WebhookSecret.Generate().Encode())
                .Verify(Encoding.UTF8.GetString(body), ToHeaderDictionary(headers)));
    }

    [Fact]
    public void A_tampered_body_does_not_verify()
    {
        var (headers, body, now) = SignedMessage();
        body[^2] ^= 1;

        Assert.Equal(WebhookVerificationResult.NoMatchingSignature, Verify(headers, body, now));
    }

    [Fact]
    public void A_changed_id_or_timestamp_does_not_verify()
    {
        var (headers, body, now) = SignedMessage();

        Assert.Equal(
            WebhookVerificationResult.NoMatchingSignature,
            Verify(headers with { Id = headers.Id + "x" }, body, now));
        Assert.Equal(
            WebhookVerificationResult.NoMatchingSignature,
            Verify(headers with { Timestamp = Unix(now.AddSeconds(1)) }, body, now));
    }

    [Fact]
    public void Timestamps_outside_the_tolerance_are_refused_either_side()
    {
        var (headers, body, now) = SignedMessage();

        Assert.Equal(WebhookVerificationResult.Valid, Verify(headers, body, now.AddMinutes(5)));
        Assert.Equal(WebhookVerificationResult.Valid, Verify(headers, body, now.AddMinutes(-5)));
        Assert.Equal(WebhookVerificationResult.TimestampOutsideTolerance, Verify(headers, body, now.AddSeconds(301)));
        Assert.Equal(WebhookVerificationResult.TimestampOutsideTolerance, Verify(headers, body, now.AddSeconds(-301)));
    }

    [Theory]
    [InlineData(null, "1", "v1,x")]
    [InlineData("m", null, "v1,x")]
    [InlineData("m", "1", null)]
    [InlineData("", "1", "v1,x")]
    [InlineData("m", "1", "")]
    public void Missing_headers_are_reported(string? id, string? timestamp, string? signature)
    {
        var result = WebhookSigner.Verify(
            Secret, id, timestamp, signature, "{}"u8, DateTimeOffset.UnixEpoch, WebhookSigner.DefaultTolerance);

        Assert.Equal(WebhookVerificationResult.MissingHeader, result);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData(" 17")]
    [InlineData("99999999999999999999")]
    public void Malformed_timestamps_are_reported(string timestamp)
    {
        var result = WebhookSigner.Verify(
            Secret, "m", timestamp, "v1,x", "{}"u8, DateTimeOffset.UtcNow, WebhookSigner.DefaultTolerance);

        Assert.Equal(WebhookVerificationResult.InvalidTimestamp, result);
    }

    [Fact]
    public void Any_one_matching_v1_signature_verifies_and_other_versions_are_skipped()
    {
        // Key rotation sends one signature per key; future schemes add other version prefixes.
        var (headers, body, now) = SignedMessage();
        var other = WebhookSigner.Sign(headers.Id, long.Parse(headers.Timestamp, CultureInfo.InvariantCulture), body,
            WebhookSecret.Generate());
        var mac = headers.Signature["v1,".Length..];

        Assert.Equal(
            WebhookVerificationResult.Valid,
            Verify(headers with { Signature = $"v1a,{mac} {other} {headers.Signature}" }, body, now));
        Assert.Equal(
            WebhookVerificationResult.NoMatchingSignature,
            Verify(headers with { Signature = $"v1a,{mac} v2,{mac} {other}" }, body, now));
    }

    [Fact]
    public void Truncated_or_extended_signatures_do_not_verify()
    {
        var (headers, body, now) = SignedMessage();
        var mac = Convert.FromBase64String(headers.Signature["v1,".Length..]);

        string Encoded(byte[] bytes) => "v1," + Convert.ToBase64String(bytes);

        Assert.Equal(
            WebhookVerificationResult.NoMatchingSignature,
            Verify(headers with { Signature = Encoded(mac[..^1]) }, body, now));
        Assert.Equal(
            WebhookVerificationResult.NoMatchingSignature,
            Verify(headers with { Signature = Encoded([.. mac, 0]) }, body, now));
        Assert.Equal(
            WebhookVerificationResult.NoMatchingSignature,
            Verify(headers with { Signature = "v1,not base64!" }, body, now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("line\nbreak")]
    [InlineData("ümlaut")]
    public void Ids_that_cannot_travel_in_a_header_are_refused(string id)
    {
        Assert.ThrowsAny<ArgumentException>(() => WebhookSigner.Sign(id, 1, "{}"u8, Secret));
    }

    [Fact]
    public void Ids_longer_than_256_characters_are_refused()
    {
        Assert.Throws<ArgumentException>(() => WebhookSigner.Sign(new string('x', 257), 1, "{}"u8, Secret));
    }

    private static (WebhookSignatureHeaders Headers, byte[] Body, DateTimeOffset Now) SignedMessage()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1714564800);
        var body = Encoding.UTF8.GetBytes("""{"type":"completed","data":{"status":"succeeded"}}""");
        return (WebhookSigner.CreateHeaders("gen_7/completed", now, body, Secret), body, now);
    }

    private static WebhookVerificationResult Verify(
        WebhookSignatureHeaders headers, byte[] body, DateTimeOffset now, WebhookSecret? secret = null) =>
        WebhookSigner.Verify(
            secret ?? Secret, headers.Id, headers.Timestamp, headers.Signature, body, now,
            WebhookSigner.DefaultTolerance);

    private static string Unix(DateTimeOffset time) =>
        time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static HeaderDictionary ToHeaderDictionary(WebhookSignatureHeaders headers) => new()
    {
        [WebhookSigner.IdHeaderName] = headers.Id,
        [WebhookSigner.TimestampHeaderName] = headers.Timestamp,
        [WebhookSigner.SignatureHeaderName] = headers.Signature,
    };
}
