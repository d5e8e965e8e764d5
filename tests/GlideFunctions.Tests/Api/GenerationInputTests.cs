using Glide.Diffusion;
using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class GenerationInputTests
{
    [Fact]
    public void Defaults_are_the_core_librarys()
    {
        Assert.Equal(3.0, GenerationInput.DefaultGuidanceScale);
        Assert.Equal("100", GenerationInput.DefaultBaseSteps);
        Assert.Equal("fast27", GenerationInput.DefaultUpsampleSteps);
        Assert.Equal(64, GenerationInput.MaxCandidates);
    }

    [Fact]
    public void A_seed_is_filled_only_when_missing()
    {
        var input = new GenerationInput { Prompt = "a" };

        Assert.Equal(5, input.WithSeedIfMissing(5).Seed);
        Assert.Equal(5, input.WithSeedIfMissing(5).WithSeedIfMissing(9).Seed);
        Assert.Throws<ArgumentOutOfRangeException>(() => input.WithSeedIfMissing(-1));
    }

    [Fact]
    public void Maps_to_the_core_request()
    {
        var input = new GenerationInput
        {
            Prompt = "a corgi",
            NegativePrompt = "blurry",
            NumCandidates = 4,
            NumOutputs = 2,
            GuidanceScale = 5.5,
            BaseSteps = "50",
            UpsampleSteps = "fast27",
            Seed = 11,
            Rerank = true,
        };

        var request = input.ToGenerationRequest();

        request.Validate();
        Assert.Equal("a corgi", request.Prompt);
        Assert.Equal("blurry", request.NegativePrompt);
        Assert.Equal(4, request.Count);
        Assert.Equal(11, request.Seed);
        Assert.Equal(5.5f, request.GuidanceScale);
        Assert.Equal("50", request.BaseSteps);
        Assert.Equal([11L, 12, 13, 14], request.Seeds());
    }

    [Fact]
    public void Maps_guidance_mode_and_inpainting_to_the_core_requests()
    {
        var clip = new GenerationInput { Prompt = "a corgi", GuidanceMode = "clip", Seed = 4 };
        var inpaint = new GenerationInput
        {
            Prompt = "a corgi",
            NumCandidates = 2,
            NumOutputs = 2,
            GuidanceScale = 5,
            Seed = 8,
            ImageSha256 = new string('a', 64),
            MaskSha256 = new string('b', 64),
            InvertMask = false,
        };

        Assert.Equal(Glide.Pipeline.GuidanceMode.Clip, clip.ToGenerationRequest().Guidance);
        Assert.False(clip.IsInpaint);
        Assert.True(inpaint.IsInpaint);
        var request = inpaint.ToInpaintRequest();
        request.Validate();
        Assert.Equal((2, 8L, 5f, "100", "fast27"), (request.Count, request.Seed, request.GuidanceScale, request.BaseSteps, request.UpsampleSteps));
        Assert.NotEqual(inpaint, inpaint with { MaskSha256 = new string('c', 64) });
        Assert.NotEqual(inpaint, inpaint with { InvertMask = true });
        Assert.Equal(inpaint, inpaint with { });
    }

    [Fact]
    public void The_models_upsample_sampler_is_filled_only_for_text_to_image_when_missing()
    {
        var input = new GenerationInput { Prompt = "a", Seed = 1 };
        var inpaint = input with { ImageSha256 = new string('a', 64), KeepTopRows = 20 };

        var filled = input.WithUpsampleSamplerIfMissing(SamplerKind.Ancestral);

        Assert.Null(input.ToGenerationRequest().UpsampleSampler); // unfilled (stored before the field): the model's
        Assert.Equal("ancestral", filled.UpsampleSampler);
        Assert.Equal(SamplerKind.Ancestral, filled.ToGenerationRequest().UpsampleSampler);
        Assert.Equal("ancestral", filled.WithUpsampleSamplerIfMissing(SamplerKind.Ddim).UpsampleSampler);
        Assert.Equal(
            SamplerKind.Ddim,
            (input with { UpsampleSampler = "ddim" }).WithUpsampleSamplerIfMissing(SamplerKind.Ancestral)
            .ToGenerationRequest().UpsampleSampler);
        Assert.Null(inpaint.WithUpsampleSamplerIfMissing(SamplerKind.Ddim).UpsampleSampler);
        Assert.NotEqual(input, filled);
        Assert.NotEqual(IdempotencyKey.HashInput(input), IdempotencyKey.HashInput(filled));
        Assert.DoesNotContain(
            "upsample_sampler",
            System.Text.Encoding.UTF8.GetString(IdempotencyKey.CanonicalJson(input)),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Cannot_run_before_the_seed_is_filled()
    {
        var input = new GenerationInput { Prompt = "a" };

        var error = Assert.Throws<InvalidOperationException>(() => input.ToGenerationRequest());

        Assert.Contains("WithSeedIfMissing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_compares_the_event_filter_by_value()
    {
        var a = new GenerationInput { Prompt = "a", WebhookEventsFilter = [WebhookEventType.Start] };
        var b = new GenerationInput { Prompt = "a", WebhookEventsFilter = [WebhookEventType.Start] };
        var c = new GenerationInput { Prompt = "a", WebhookEventsFilter = [WebhookEventType.Output] };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
    }
}
