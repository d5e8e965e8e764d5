using System.Security.Cryptography;
using System.Text;
using Glide.Imaging;
using Glide.Pipeline;
using GlideFunctions.Api;
using Microsoft.AspNetCore.Http;

namespace GlideFunctions.Tests.Api;

public sealed class GenerationRequestParserTests
{
    private const string Hook = "\"webhook\": \"https://example.com/hook\"";

    /// <summary>Body → the one field it must be refused for → a phrase the message must hold.</summary>
    public static TheoryData<string, string, string> BadBodies { get; } = new()
    {
        // The body as a whole.
        { "not json", "$", "not valid JSON" },
        { "", "$", "the body is empty" },
        { "[{\"prompt\": \"a corgi\"}]", "$", "must be a JSON object, got an array" },
        { "\"a corgi\"", "$", "must be a JSON object, got a string" },
        { "{\"prompt\": \"a corgi\"} {}", "$", "not valid JSON" },
        { "{\"prompt\": \"a corgi\",}", "$", "not valid JSON" },
        { "{\"prompt\": \"a corgi\" /* hi */}", "$", "not valid JSON" },
        { "{\"prompt\": \"a\", \"x\": [[[[[[[[[[1]]]]]]]]]]}", "$", "not valid JSON" },
        { "{\"\\udc00\": 1, \"prompt\": \"a\"}", "$", "a field name holds an unpaired surrogate escape" },

        // prompt and negative_prompt.
        { "{}", "prompt", "prompt is required" },
        { "{\"prompt\": null}", "prompt", "prompt is required" },
        { "{\"prompt\": 5}", "prompt", "prompt must be a string, got a number" },
        { "{\"prompt\": [\"a corgi\"]}", "prompt", "prompt must be a string, got an array" },
        { Body(new string('a', 2001)), "prompt", "prompt is 2,001 characters long; the limit is 2,000" },
        { "{\"prompt\": \"\\ud800 corgi\"}", "prompt", "unpaired surrogate" },
        {
            $"{{\"prompt\": \"a\", \"negative_prompt\": \"{string.Concat(Enumerable.Repeat("🐶", 2001))}\"}}",
            "negative_prompt", "negative_prompt is 2,001 characters long"
        },
        { "{\"prompt\": \"a\", \"negative_prompt\": false}", "negative_prompt", "must be a string, got a boolean" },

        // Counts.
        { "{\"prompt\": \"a\", \"num_candidates\": 0}", "num_candidates", "between 1 and 64, got 0" },
        { "{\"prompt\": \"a\", \"num_candidates\": 65}", "num_candidates", "between 1 and 64, got 65" },
        { "{\"prompt\": \"a\", \"num_candidates\": -3}", "num_candidates", "between 1 and 64, got -3" },
        { "{\"prompt\": \"a\", \"num_candidates\": \"4\"}", "num_candidates", "must be an integer, got a string" },
        { "{\"prompt\": \"a\", \"num_candidates\": 2.5}", "num_candidates", "without a fraction or exponent, got 2.5" },
        { "{\"prompt\": \"a\", \"num_candidates\": 4.0}", "num_candidates", "without a fraction or exponent, got 4.0" },
        { "{\"prompt\": \"a\", \"num_candidates\": 99999999999}", "num_candidates", "got 99999999999" },
        {
            "{\"prompt\": \"a\", \"num_outputs\": 2}",
            "num_outputs", "num_outputs (2) cannot exceed num_candidates (1)"
        },
        {
            "{\"prompt\": \"a\", \"num_candidates\": 4, \"num_outputs\": 5, \"rerank\": true}",
            "num_outputs", "num_outputs (5) cannot exceed num_candidates (4)"
        },
        {
            "{\"prompt\": \"a\", \"num_candidates\": 4, \"num_outputs\": 2}",
            "num_outputs", "needs \"rerank\": true"
        },
        { "{\"prompt\": \"a\", \"num_outputs\": 0}", "num_outputs", "between 1 and 64, got 0" },

        // guidance_scale.
        { "{\"prompt\": \"a\", \"guidance_scale\": \"NaN\"}", "guidance_scale", "must be a number, got a string" },
        { "{\"prompt\": \"a\", \"guidance_scale\": -1}", "guidance_scale", "between 0 and 100, got -1" },
        { "{\"prompt\": \"a\", \"guidance_scale\": 1000}", "guidance_scale", "between 0 and 100, got 1000" },
        { "{\"prompt\": \"a\", \"guidance_scale\": true}", "guidance_scale", "must be a number, got a boolean" },
        { "{\"prompt\": \"a\", \"guidance_scale\": 1e999}", "guidance_scale", "must be a finite number, got 1e999" },

        // guidance_mode, and what CLIP guidance cannot be combined with.
        {
            "{\"prompt\": \"a\", \"guidance_mode\": \"classifier-free\"}",
            "guidance_mode", "guidance_mode must be \"cfg\" (classifier-free guidance) or \"clip\" (CLIP guidance), got 'classifier-free'"
        },
        { "{\"prompt\": \"a\", \"guidance_mode\": \"CLIP\"}", "guidance_mode", "got 'CLIP'" },
        { "{\"prompt\": \"a\", \"guidance_mode\": 1}", "guidance_mode", "must be \"cfg\" (classifier-free guidance) or \"clip\" (CLIP guidance), got a number" },
        {
            "{\"prompt\": \"a\", \"guidance_mode\": \"clip\", \"negative_prompt\": \"blurry\"}",
            "negative_prompt", "negative_prompt needs classifier-free guidance"
        },
        { "{\"prompt\": \"a\", \"guidance\": \"clip\"}", "guidance", "did you mean 'guidance_scale' or 'guidance_mode'?" },

        // Respacing strings, with Respacing.Parse's own reasons.
        { "{\"prompt\": \"a\", \"base_steps\": \"0\"}", "base_steps", "step count must be at least 1, got 0" },
        { "{\"prompt\": \"a\", \"base_steps\": \"fast28\"}", "base_steps", "the only 'fast' respacing is 'fast27'" },
        { "{\"prompt\": \"a\", \"base_steps\": 100}", "base_steps", "must be a respacing string such as \"100\"" },
        { "{\"prompt\": \"a\", \"base_steps\": \"ddim999\"}", "base_steps", "cannot take exactly 999 of 1000 steps" },
        { "{\"prompt\": \"a\", \"upsample_steps\": \"abc\"}", "upsample_steps", "malformed respacing 'abc'" },
        { "{\"prompt\": \"a\", \"upsample_steps\": \"2000\"}", "upsample_steps", "cannot take 2000 steps" },
        { "{\"prompt\": \"a\", \"upsample_steps\": \"\"}", "upsample_steps", "malformed respacing ''" },

        // upsample_sampler: the names exactly, text-to-image only.
        {
            "{\"prompt\": \"a\", \"upsample_sampler\": \"plms\"}",
            "upsample_sampler", "upsample_sampler must be \"ddim\" (DDIM steps with eta 0, the notebook's) or \"ancestral\" (ancestral steps), got 'plms'"
        },
        { "{\"prompt\": \"a\", \"upsample_sampler\": \"DDIM\"}", "upsample_sampler", "got 'DDIM'" },
        { "{\"prompt\": \"a\", \"upsample_sampler\": 1}", "upsample_sampler", "must be \"ddim\" (DDIM steps with eta 0, the notebook's) or \"ancestral\" (ancestral steps), got a number" },
        { "{\"prompt\": \"a\", \"upsample\": \"ddim\"}", "upsample", "did you mean 'upsample_steps' or 'upsample_sampler'?" },
        { "{\"prompt\": \"a\", \"upsample_samplr\": \"ddim\"}", "upsample_samplr", "did you mean 'upsample_sampler'?" },

        // seed.
        { "{\"prompt\": \"a\", \"seed\": -1}", "seed", "seed must be between 0 and 9007199254740928, got -1" },
        { "{\"prompt\": \"a\", \"seed\": \"x\"}", "seed", "seed must be an integer, got a string" },
        { "{\"prompt\": \"a\", \"seed\": 1e30}", "seed", "between 0 and 9007199254740928, got 1e30" },
        { "{\"prompt\": \"a\", \"seed\": 9007199254740929}", "seed", "got 9007199254740929" },
        { "{\"prompt\": \"a\", \"seed\": 1.5}", "seed", "without a fraction or exponent, got 1.5" },

        // rerank.
        { "{\"prompt\": \"a\", \"rerank\": \"yes\"}", "rerank", "rerank must be true or false, got a string" },
        { "{\"prompt\": \"a\", \"rerank\": 1}", "rerank", "rerank must be true or false, got a number" },
        {
            "{\"prompt\": \"a\", \"num_candidates\": 4, \"num_outputs\": 2, \"rerank\": \"true\"}",
            "rerank", "rerank must be true or false, got a string"
        },

        // webhook: scheme, credentials, literal non-public hosts, shape.
        { Webhook("ftp://x"), "webhook", "must be an https URL, got the scheme 'ftp'" },
        { Webhook("http://example.com"), "webhook", "must use https" },
        { Webhook("https://user:pw@example.com"), "webhook", "must not carry a user name or password" },
        { Webhook("https://127.0.0.1/hook"), "webhook", "a loopback address" },
        { Webhook("https://10.0.0.5/"), "webhook", "a private address" },
        { Webhook("https://172.20.1.1/"), "webhook", "a private address" },
        { Webhook("https://192.168.1.10/"), "webhook", "a private address" },
        { Webhook("https://169.254.169.254/"), "webhook", "link-local" },
        { Webhook("https://100.64.0.1/"), "webhook", "carrier-grade NAT" },
        { Webhook("https://0.0.0.0/"), "webhook", "unspecified" },
        { Webhook("https://[::1]/"), "webhook", "a loopback address" },
        { Webhook("https://[::ffff:192.168.0.1]/"), "webhook", "a private address" },
        { Webhook("https://[fd00::5]/"), "webhook", "(private) address" },
        { Webhook("https://[fe80::1]/"), "webhook", "a link-local address" },
        { Webhook("https://localhost:7071/hook"), "webhook", "a loopback host name" },
        { Webhook("https://api.localhost/"), "webhook", "a loopback host name" },
        { Webhook("not a url"), "webhook", "must be an absolute URL" },
        { Webhook("/hooks/glide"), "webhook", "must be an https URL, got the scheme 'file'" },
        { Webhook(" https://example.com/"), "webhook", "without surrounding spaces" },
        { Webhook("https://example.com/" + new string('a', 2048)), "webhook", "the limit is 2048" },
        { "{\"prompt\": \"a\", \"webhook\": 42}", "webhook", "webhook must be a URL string, got a number" },

        // webhook_events_filter.
        {
            $"{{\"prompt\": \"a\", {Hook}, \"webhook_events_filter\": [\"start\", \"bogus\"]}}",
            "webhook_events_filter", "webhook_events_filter[1] is 'bogus'; the events are start, output, completed"
        },
        {
            $"{{\"prompt\": \"a\", {Hook}, \"webhook_events_filter\": [\"start\", 1]}}",
            "webhook_events_filter", "webhook_events_filter[1] must be a string, got a number"
        },
        {
            $"{{\"prompt\": \"a\", {Hook}, \"webhook_events_filter\": \"start\"}}",
            "webhook_events_filter", "must be an array of strings, got a string"
        },
        {
            $"{{\"prompt\": \"a\", {Hook}, \"webhook_events_filter\": []}}",
            "webhook_events_filter", "must name at least one of start, output, completed"
        },
        {
            "{\"prompt\": \"a\", \"webhook_events_filter\": [\"completed\"]}",
            "webhook_events_filter", "no effect without a webhook"
        },

        // Fields the endpoint does not take.
        {
            "{\"promt\": \"a corgi\", \"prompt\": \"a\"}",
            "promt", "'promt' is not a field of this request; did you mean 'prompt'?"
        },
        { "{\"prompt\": \"a\", \"colour\": \"red\"}", "colour", "the fields are prompt, negative_prompt" },
        { "{\"prompt\": \"a\", \"Seed\": 1}", "Seed", "did you mean 'seed'?" },
        { "{\"prompt\": \"a\", \"prompt\": \"b\"}", "prompt", "'prompt' appears more than once" },
        { "{\"prompt\": \"a\", \"image\": 7}", "image", "image must be a base64 string, got a number" },

        // Inpainting: which fields go together.
        { Inpaint(Image, mask: null), "mask", "mask is required with image" },
        { $"{{\"prompt\": \"a\", \"mask\": \"{Mask}\"}}", "mask", "mask needs image" },
        { "{\"prompt\": \"a\", \"keep_top_rows\": 20}", "keep_top_rows", "keep_top_rows needs image" },
        { "{\"prompt\": \"a\", \"invert_mask\": true}", "invert_mask", "invert_mask needs image" },
        { "{\"prompt\": \"a\", \"mask\": 5}", "mask", "mask must be a base64 string, got a number" },
        { Inpaint(Image, Mask, "\"keep_top_rows\": 20"), "keep_top_rows", "send either mask or keep_top_rows, not both" },
        { Inpaint(Image, null, "\"keep_top_rows\": 64"), "keep_top_rows", "keep_top_rows must be between 0 and 63, got 64" },
        { Inpaint(Image, null, "\"keep_top_rows\": \"20\""), "keep_top_rows", "keep_top_rows must be an integer, got a string" },
        { Inpaint(Image, null, "\"keep_top_rows\": 20, \"invert_mask\": true"), "invert_mask", "invert_mask applies to a mask file only" },
        { Inpaint(Image, Mask, "\"invert_mask\": \"yes\""), "invert_mask", "invert_mask must be true or false, got a string" },
        { Inpaint(Image, Mask, "\"rerank\": true"), "rerank", "rerank is not available for inpainting" },
        { Inpaint(Image, Mask, "\"guidance_mode\": \"clip\""), "guidance_mode", "guidance_mode \"clip\" is not available for inpainting" },
        { Inpaint(Image, Mask, "\"upsample_sampler\": \"ancestral\""), "upsample_sampler", "upsample_sampler applies to text-to-image: inpainting upsamples with ancestral steps" },

        // Inpainting: the uploads, through the core PNG intake.
        { Inpaint(UploadPngs.Base64(UploadPngs.Corrupt()), Mask), "image", "image: the PNG is corrupt: the CRC of its IDAT chunk" },
        { Inpaint(UploadPngs.Base64(UploadPngs.Truncated()), Mask), "image", "image: the PNG is truncated" },
        { Inpaint(UploadPngs.Base64(UploadPngs.Bomb()), Mask), "image", "image: the PNG declares 100000×100000 = 10,000,000,000 pixels" },
        { Inpaint(UploadPngs.Base64(UploadPngs.Jpeg()), Mask), "image", "image: not a PNG file" },
        { Inpaint("not base64!", Mask), "image", "image is not valid base64" },
        { Inpaint("iVBORw0KGgo", Mask), "image", "image is not valid base64" },
        { Inpaint("", Mask), "image", "image is empty" },
        { Inpaint("data:image/jpeg;base64," + Image, Mask), "image", "image: a data URL must start with 'data:image/png;base64,'" },
        { Inpaint(Image, UploadPngs.Base64(UploadPngs.Truncated())), "mask", "mask: the PNG is truncated" },
        { Inpaint(Image, UploadPngs.Base64(UploadPngs.Bomb())), "mask", "mask: the PNG declares 100000×100000" },
        { Inpaint(Image, UploadPngs.Base64(UploadPngs.WhiteMask())), "mask", "mask: the mask keeps every pixel at 64×64, so there is nothing to generate" },
        {
            Inpaint(Image, UploadPngs.Base64(UploadPngs.Mask(8, 8, (_, _) => 0)), "\"invert_mask\": true"),
            "mask", "nothing to generate"
        },
        { "{\"prompt\": \"a\", \"id\": \"job-1\"}", "id", "id is accepted only in queue messages" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void Refuses_a_bad_body_naming_the_field(string json, string field, string message)
    {
        var result = Parse(json);

        Assert.False(result.IsValid);
        Assert.Null(result.Input);
        Assert.Equal([field], result.Errors.Select(e => e.Field).Distinct());
        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
        if (field != FieldError.Body)
        {
            // A message reads on its own: it names the field it is about.
            Assert.All(result.Errors, e => Assert.Contains(field, e.Message, StringComparison.Ordinal));
        }

        var problem = ValidationProblem.Document(result.Errors, "/api/v1/generations");
        Assert.Equal(StatusCodes.Status400BadRequest, problem.Status);
        Assert.Equal([field], problem.Errors!.Keys);
    }

    [Fact]
    public void Reports_every_error_together()
    {
        var result = Parse("""
            {
              "promt": "a corgi",
              "num_candidates": 0,
              "guidance_scale": "high",
              "base_steps": "fast28",
              "seed": -1,
              "webhook": "http://example.com/hook",
              "image": "iVBORw0KGgo="
            }
            """);

        Assert.False(result.IsValid);
        Assert.Equal(
            ["promt", "num_candidates", "guidance_scale", "seed", "prompt", "base_steps", "webhook", "mask"],
            result.Errors.Select(e => e.Field));
    }

    [Fact]
    public void Refuses_a_body_that_is_not_utf8()
    {
        // {"p\xFF": 1} and {"prompt": "\xC3("}: a stray byte in a name, a truncated sequence in a value.
        var name = GenerationRequestParser.Parse(new byte[] { 0x7B, 0x22, 0x70, 0xFF, 0x22, 0x3A, 0x31, 0x7D });
        byte[] truncated = [.. "{\"prompt\": \""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()];
        var value = GenerationRequestParser.Parse(truncated);

        Assert.Equal(new FieldError(FieldError.Body, "the body is not valid UTF-8 text"), Assert.Single(name.Errors));
        Assert.Equal(new FieldError(FieldError.Body, "the body is not valid UTF-8 text"), Assert.Single(value.Errors));
    }

    [Fact]
    public void Fills_every_default_for_the_minimal_body()
    {
        var result = Parse("""{ "prompt": "a corgi" }""");

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        Assert.Null(result.ClientId);
        var expected = new GenerationInput
        {
            Prompt = "a corgi",
            NegativePrompt = null,
            NumCandidates = 1,
            NumOutputs = 1,
            GuidanceScale = 3.0,
            BaseSteps = "100",
            UpsampleSteps = "fast27",
            UpsampleSampler = null, // the model's: the API and the queue fill it in (WithUpsampleSamplerIfMissing)
            Seed = null,
            Rerank = false,
            Webhook = null,
            WebhookEventsFilter = null,
        };
        Assert.Equal(expected, result.Input);
    }

    [Fact]
    public void Keeps_every_field_of_a_full_body()
    {
        var result = Parse("""
            {
              "prompt": "an oil painting of a corgi",
              "negative_prompt": "blurry",
              "num_candidates": 8,
              "num_outputs": 2,
              "guidance_scale": 4.5,
              "base_steps": "ddim50",
              "upsample_steps": "10,10,3,2,2",
              "upsample_sampler": "ancestral",
              "seed": 1234567890123,
              "rerank": true,
              "webhook": "https://example.com/hooks/glide?token=abc",
              "webhook_events_filter": ["completed", "start"],
              "image": null,
              "mask": null
            }
            """);

        Assert.True(result.IsValid);
        var expected = new GenerationInput
        {
            Prompt = "an oil painting of a corgi",
            NegativePrompt = "blurry",
            NumCandidates = 8,
            NumOutputs = 2,
            GuidanceScale = 4.5,
            BaseSteps = "ddim50",
            UpsampleSteps = "10,10,3,2,2",
            UpsampleSampler = "ancestral",
            Seed = 1234567890123,
            Rerank = true,
            Webhook = "https://example.com/hooks/glide?token=abc",
            WebhookEventsFilter = [WebhookEventType.Start, WebhookEventType.Completed],
        };
        Assert.Equal(expected, result.Input);
    }

    [Fact]
    public void The_echoed_input_is_itself_a_valid_body_that_parses_to_the_same_input()
    {
        var first = Parse($$"""{ "prompt": "a corgi", "num_candidates": 3, "seed": 7, {{Hook}} }""").Input!;

        var again = GenerationRequestParser.Parse(IdempotencyKey.CanonicalJson(first));

        Assert.True(again.IsValid);
        Assert.Equal(first, again.Input);
    }

    [Fact]
    public void Num_outputs_defaults_to_num_candidates()
    {
        var input = Parse("""{ "prompt": "a", "num_candidates": 6 }""").Input!;

        Assert.Equal(6, input.NumOutputs);
    }

    [Fact]
    public void A_webhook_without_a_filter_gets_every_event_and_a_filter_is_deduplicated_in_emission_order()
    {
        var all = Parse($$"""{ "prompt": "a", {{Hook}} }""").Input!;
        var some = Parse($$"""
            { "prompt": "a", {{Hook}}, "webhook_events_filter": ["completed", "output", "completed"] }
            """).Input!;

        Assert.Equal(
            [WebhookEventType.Start, WebhookEventType.Output, WebhookEventType.Completed], all.WebhookEventsFilter);
        Assert.Equal([WebhookEventType.Output, WebhookEventType.Completed], some.WebhookEventsFilter);
    }

    [Theory]
    [InlineData("https://Example.COM", "https://example.com/")]
    [InlineData("https://example.com:8443/a b", "https://example.com:8443/a%20b")]
    [InlineData("https://93.184.215.14/hook", "https://93.184.215.14/hook")]
    [InlineData("https://[2606:2800:220:1::1]/hook", "https://[2606:2800:220:1::1]/hook")]
    public void A_public_https_webhook_is_accepted_in_canonical_form(string url, string canonical)
    {
        var input = Parse($$"""{ "prompt": "a", "webhook": "{{url}}" }""").Input!;

        Assert.Equal(canonical, input.Webhook);
    }

    [Fact]
    public void Development_options_admit_plain_http_and_private_webhooks()
    {
        var options = GenerationParserOptions.Http with { AllowInsecureWebhooks = true, AllowPrivateWebhooks = true };

        var result = Parse("""{ "prompt": "a", "webhook": "http://127.0.0.1:7071/hook" }""", options);

        Assert.True(result.IsValid);
        Assert.Equal("http://127.0.0.1:7071/hook", result.Input.Webhook);
        Assert.False(Parse("""{ "prompt": "a", "webhook": "http://127.0.0.1:7071/hook" }""").IsValid);
    }

    [Fact]
    public void Insecure_webhooks_alone_still_refuse_private_targets()
    {
        var options = GenerationParserOptions.Http with { AllowInsecureWebhooks = true };

        var result = Parse("""{ "prompt": "a", "webhook": "http://192.168.0.2/hook" }""", options);

        Assert.Contains("a private address", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Queue_messages_carry_a_client_id()
    {
        var good = Parse("""{ "prompt": "a", "id": "batch7_line-42" }""", GenerationParserOptions.Queue);
        var bad = Parse("""{ "prompt": "a", "id": "../etc" }""", GenerationParserOptions.Queue);

        Assert.True(good.IsValid);
        Assert.Equal("batch7_line-42", good.ClientId);
        Assert.Equal("id", Assert.Single(bad.Errors).Field);
        Assert.Contains("'../etc'", bad.Errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "prompt": "" }""")]
    [InlineData("""{ "prompt": "a", "negative_prompt": null, "seed": null, "image": null, "webhook": null }""")]
    [InlineData("""{ "prompt": "a", "num_candidates": 64, "num_outputs": 64, "seed": 9007199254740928 }""")]
    [InlineData("""{ "prompt": "a", "guidance_scale": 0 }""")]
    [InlineData("""{ "prompt": "a", "guidance_scale": 100 }""")]
    [InlineData("""{ "prompt": "a", "num_candidates": 4, "num_outputs": 1, "rerank": true }""")]
    [InlineData("""{ "prompt": "a", "base_steps": "1000", "upsample_steps": "27" }""")]
    [InlineData("\uFEFF{ \"prompt\": \"a byte order mark is ignored\" }")]
    [InlineData("""{ "pr\u006Fmpt": "escaped names are names" }""")]
    public void Accepts_edge_values(string json)
    {
        var result = Parse(json);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
    }

    [Fact]
    public void Counts_prompt_length_in_unicode_characters()
    {
        var emoji = string.Concat(Enumerable.Repeat("🐶", GenerationInput.MaxPromptLength));

        var result = Parse(Body(emoji));

        Assert.True(result.IsValid);
        Assert.Equal(emoji, result.Input.Prompt);
    }

    [Fact]
    public void Trims_respacing_strings()
    {
        var input = Parse("""{ "prompt": "a", "base_steps": " 50 " }""").Input!;

        Assert.Equal("50", input.BaseSteps);
    }

    [Fact]
    public void A_body_at_the_limit_is_parsed_and_one_byte_more_is_refused()
    {
        var options = GenerationParserOptions.Http with { MaxBodyBytes = 64 };
        var exact = Body(new string('a', 64 - Body("").Length));

        Assert.True(Parse(exact, options).IsValid);
        Assert.Equal(FieldError.Body, Assert.Single(Parse(exact + " ", options).Errors).Field);
    }

    [Fact]
    public void Validate_checks_a_typed_body_by_the_same_rules()
    {
        var result = GenerationRequestParser.Validate(new CreateGenerationBody
        {
            Prompt = "a",
            NumCandidates = 65,
            GuidanceScale = double.NaN,
            Seed = -5,
        });

        Assert.Equal(["num_candidates", "guidance_scale", "seed"], result.Errors.Select(e => e.Field));
    }

    [Fact]
    public void Guidance_mode_defaults_to_cfg_and_clip_reaches_the_core_request()
    {
        var plain = Parse("""{ "prompt": "a corgi" }""").Input!;
        var clip = Parse("""{ "prompt": "a corgi", "guidance_mode": "clip", "seed": 3 }""").Input!;

        Assert.Equal("cfg", plain.GuidanceMode);
        Assert.Equal(3.0, plain.GuidanceScale);
        Assert.Equal("clip", clip.GuidanceMode);
        Assert.Equal(3.0, clip.GuidanceScale);
        Assert.Equal(GuidanceMode.Clip, clip.ToGenerationRequest().Guidance);
        Assert.False(clip.IsInpaint);
    }

    [Fact]
    public void An_inpainting_body_is_decoded_by_the_core_intake_with_the_inpainting_defaults()
    {
        var image = UploadPngs.Source();
        var mask = UploadPngs.TopMask(whiteRows: 8, size: 16);

        var result = Parse(Inpaint(UploadPngs.Base64(image), UploadPngs.Base64(mask), "\"seed\": 9"));

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var input = result.Input;
        Assert.True(input.IsInpaint);
        Assert.Equal(5.0, input.GuidanceScale); // the inpainting notebook's
        Assert.Equal("cfg", input.GuidanceMode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(image)), input.ImageSha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(mask)), input.MaskSha256);
        Assert.False(input.InvertMask);
        Assert.Null(input.KeepTopRows);
        var expected = InpaintInputs.FromPng(image, mask);
        var inputs = result.Inpaint!;
        Assert.Equal(expected.Image64.ToArray(), inputs.Image64.ToArray());
        Assert.Equal(expected.Image256.ToArray(), inputs.Image256.ToArray());
        Assert.Equal(expected.Mask64.ToArray(), inputs.Mask64.ToArray());
        Assert.Equal(2048, inputs.KeptPixels); // the top half of 64×64
        Assert.Equal(5f, input.ToInpaintRequest().GuidanceScale);
    }

    [Fact]
    public void Keep_top_rows_is_the_notebooks_mask()
    {
        var result = Parse(Inpaint(Image, mask: null, "\"keep_top_rows\": 20"));

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(20, result.Input.KeepTopRows);
        Assert.Null(result.Input.MaskSha256);
        Assert.Null(result.Input.InvertMask);
        Assert.Equal(InpaintMask.KeepTopRows(20, 64), result.Inpaint!.Mask64.ToArray());
    }

    [Fact]
    public void A_data_url_is_accepted_and_invert_mask_swaps_keep_and_generate()
    {
        var mask = UploadPngs.Base64(UploadPngs.TopMask(whiteRows: 4, size: 16));

        var plain = Parse(Inpaint("data:image/png;base64," + Image, mask));
        var inverted = Parse(Inpaint(Image, "DATA:image/PNG;base64," + mask, "\"invert_mask\": true"));

        Assert.Equal(1024, plain.Inpaint!.KeptPixels);
        Assert.Equal(3072, inverted.Inpaint!.KeptPixels);
        Assert.True(inverted.Input!.InvertMask);
        Assert.Equal(plain.Input!.ImageSha256, inverted.Input.ImageSha256);
        Assert.NotEqual(IdempotencyKey.HashInput(plain.Input), IdempotencyKey.HashInput(inverted.Input));
    }

    [Fact]
    public void A_grey_mask_is_thresholded_at_50_percent_grey()
    {
        // Left half luminance 127 (generated), right half 128 (kept): the documented threshold.
        var mask = UploadPngs.Base64(UploadPngs.Mask(16, 16, (x, _) => x < 8 ? (byte)127 : (byte)128));

        var inputs = Parse(Inpaint(Image, mask)).Inpaint!;

        var mask64 = inputs.Mask64.ToArray();
        for (var y = 0; y < 64; y++)
        {
            Assert.All(mask64.AsSpan(y * 64, 32).ToArray(), m => Assert.Equal(0f, m));
            Assert.All(mask64.AsSpan((y * 64) + 32, 32).ToArray(), m => Assert.Equal(1f, m));
        }
    }

    [Fact]
    public void An_upload_over_the_byte_limit_is_refused_before_it_is_decoded()
    {
        var options = GenerationParserOptions.Http with { ImageLimits = new ImageLimits { MaxBytes = 64 } };

        var result = Parse(Inpaint(Image, Mask), options);

        Assert.Equal(["image", "mask"], result.Errors.Select(e => e.Field));
        Assert.StartsWith("image is larger than the limit of 64 bytes for a file", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_limits_take_two_8_MiB_uploads_in_one_body()
    {
        var base64 = 4 * ((GenerationParserOptions.DefaultMaxImageBytes + 2) / 3);

        Assert.Equal(8L * 1024 * 1024, GenerationParserOptions.Http.ImageLimits.MaxBytes);
        // Two files in base64 plus the longest text fields (two prompts of 2,000 astral characters as \u escapes).
        Assert.True(GenerationParserOptions.DefaultMaxBodyBytes >= (2 * base64) + 48_000);
    }

    private static GenerationParseResult Parse(string json, GenerationParserOptions? options = null) =>
        GenerationRequestParser.Parse(Encoding.UTF8.GetBytes(json), options);

    private static string Body(string prompt) => $"{{\"prompt\": \"{prompt}\"}}";

    private static string Webhook(string url) => $"{{\"prompt\": \"a\", \"webhook\": \"{url}\"}}";

    private static string Image => UploadPngs.Base64(UploadPngs.Source());

    private static string Mask => UploadPngs.Base64(UploadPngs.TopMask());

    /// <summary>An inpainting body: the image, the mask unless null, and more fields as JSON text.</summary>
    private static string Inpaint(string image, string? mask, string? more = null) =>
        $"{{\"prompt\": \"a\", \"image\": \"{image}\"" +
        (mask is null ? string.Empty : $", \"mask\": \"{mask}\"") +
        (more is null ? string.Empty : $", {more}") + "}";
}
