using System.Text;
using GlideFunctions.Api;
using Microsoft.Extensions.Primitives;

namespace GlideFunctions.Tests.Api;

public sealed class IdempotencyKeyTests
{
    private const string Full = """
        {
          "prompt": "a corgi", "negative_prompt": "blurry", "num_candidates": 4, "num_outputs": 2,
          "guidance_scale": 3.5, "base_steps": "100", "upsample_steps": "fast27", "seed": 42, "rerank": true,
          "webhook": "https://example.com/hook", "webhook_events_filter": ["start", "completed"]
        }
        """;

    [Theory]
    [InlineData("550e8400-e29b-41d4-a716-446655440000")]
    [InlineData("a")]
    [InlineData("!~{}[]:;\"'<>,.?/\\|")]
    public void Accepts_visible_ascii_keys(string header)
    {
        Assert.True(IdempotencyKey.TryParse(header, out var key, out var error));
        Assert.Null(error);
        Assert.Equal(header, key!.Value);
    }

    [Fact]
    public void Accepts_255_characters_and_refuses_256()
    {
        Assert.True(IdempotencyKey.TryParse(new string('k', 255), out _, out _));
        Assert.False(IdempotencyKey.TryParse(new string('k', 256), out _, out var error));
        Assert.Contains("got 256 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absent_header_is_no_key_and_no_error()
    {
        Assert.True(IdempotencyKey.TryParse(StringValues.Empty, out var key, out var error));
        Assert.Null(key);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\tkey")]
    [InlineData("clé")]
    [InlineData("line\nbreak")]
    public void Refuses_keys_that_are_not_visible_ascii(string header)
    {
        Assert.False(IdempotencyKey.TryParse(header, out var key, out var error));
        Assert.Null(key);
        Assert.Equal(IdempotencyKey.HeaderName, error.Field);
        Assert.Contains("1 to 255 visible ASCII characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_two_headers()
    {
        Assert.False(IdempotencyKey.TryParse(new StringValues(["a", "b"]), out _, out var error));
        Assert.Contains("send one Idempotency-Key header, not 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_json_writes_every_field_in_declaration_order()
    {
        var input = Input("""{ "prompt": "a corgi" }""");

        Assert.Equal(
            """
            {"prompt":"a corgi","negative_prompt":null,"num_candidates":1,"num_outputs":1,"guidance_scale":3,
            "guidance_mode":"cfg","base_steps":"100","upsample_steps":"fast27","seed":null,"rerank":false,
            "webhook":null,"webhook_events_filter":null}
            """.ReplaceLineEndings(string.Empty),
            Encoding.UTF8.GetString(IdempotencyKey.CanonicalJson(input)));
    }

    [Fact]
    public void The_hash_ignores_key_order_whitespace_and_spelt_out_defaults()
    {
        var reordered = """
            {"webhook_events_filter":["completed","start","start"],"webhook":"https://EXAMPLE.com/hook","rerank":true,
             "seed":42,"upsample_steps":"fast27","base_steps":" 100","guidance_scale":3.50,"num_outputs":2,
             "num_candidates":4,"negative_prompt":"blurry","prompt":"a corgi","image":null}
            """;

        Assert.Equal(Hash(Full), Hash(reordered));
        Assert.Equal(Hash("""{"prompt":"a"}"""), Hash("""{"num_candidates":1,"prompt":"a","guidance_scale":3.0}"""));
        Assert.Matches("^[0-9a-f]{64}$", Hash(Full));
    }

    [Theory]
    [InlineData("\"a corgi\"", "\"a corgi \"")]
    [InlineData("\"blurry\"", "\"Blurry\"")]
    [InlineData("\"num_candidates\": 4", "\"num_candidates\": 5")]
    [InlineData("\"num_outputs\": 2", "\"num_outputs\": 1")]
    [InlineData("3.5", "3.5000001")]
    [InlineData("\"base_steps\": \"100\"", "\"base_steps\": \"50\"")]
    [InlineData("\"fast27\"", "\"27\"")]
    [InlineData("42", "43")]
    [InlineData("/hook", "/hook2")]
    [InlineData("[\"start\", \"completed\"]", "[\"start\"]")]
    public void The_hash_changes_when_any_field_changes(string from, string to)
    {
        var changed = Full.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Full, changed);

        Assert.NotEqual(Hash(Full), Hash(changed));
    }

    [Fact]
    public void The_hash_covers_the_guidance_mode_and_the_uploaded_files()
    {
        var image = UploadPngs.Base64(UploadPngs.Source());
        var otherImage = UploadPngs.Base64(UploadPngs.Source(41, 30));
        var mask = UploadPngs.Base64(UploadPngs.TopMask(whiteRows: 8));
        var otherMask = UploadPngs.Base64(UploadPngs.TopMask(whiteRows: 9));
        string Inpaint(string i, string m, string more = "") => $$"""{"prompt":"a","image":"{{i}}","mask":"{{m}}"{{more}}}""";

        Assert.Equal(Hash("""{"prompt":"a"}"""), Hash("""{"prompt":"a","guidance_mode":"cfg"}"""));
        Assert.NotEqual(Hash("""{"prompt":"a"}"""), Hash("""{"prompt":"a","guidance_mode":"clip"}"""));
        Assert.Equal(Hash(Inpaint(image, mask)), Hash(Inpaint("data:image/png;base64," + image, mask, ",\"invert_mask\":false")));
        Assert.NotEqual(Hash(Inpaint(image, mask)), Hash(Inpaint(otherImage, mask)));
        Assert.NotEqual(Hash(Inpaint(image, mask)), Hash(Inpaint(image, otherMask)));
        Assert.NotEqual(Hash(Inpaint(image, mask)), Hash(Inpaint(image, mask, ",\"invert_mask\":true")));
        Assert.Equal(
            Hash(Inpaint(image, mask)), Hash(Inpaint(image, mask, ",\"guidance_scale\":5")));
    }

    [Fact]
    public void A_key_derives_one_stable_seed_in_range()
    {
        IdempotencyKey.TryParse("key-1", out var key1, out _);
        IdempotencyKey.TryParse("key-1", out var again, out _);
        IdempotencyKey.TryParse("key-2", out var key2, out _);

        Assert.Equal(key1!.DeriveSeed(), again!.DeriveSeed());
        Assert.NotEqual(key1.DeriveSeed(), key2!.DeriveSeed());
        Assert.InRange(key1.DeriveSeed(), 0, GenerationInput.MaxSeed);
    }

    [Fact]
    public void Same_key_and_body_give_the_same_input_and_hash_once_the_derived_seed_is_filled()
    {
        IdempotencyKey.TryParse("retry-me", out var key, out _);

        var first = Input("""{"prompt":"a"}""").WithSeedIfMissing(key!.DeriveSeed());
        var retry = Input("""{ "prompt": "a" }""").WithSeedIfMissing(key.DeriveSeed());

        Assert.Equal(first, retry);
        Assert.Equal(IdempotencyKey.HashInput(first), IdempotencyKey.HashInput(retry));
    }

    private static GenerationInput Input(string json) =>
        GenerationRequestParser.Parse(Encoding.UTF8.GetBytes(json)).Input
        ?? throw new InvalidOperationException($"not a valid body: {json}");

    private static string Hash(string json) => IdempotencyKey.HashInput(Input(json));
}
