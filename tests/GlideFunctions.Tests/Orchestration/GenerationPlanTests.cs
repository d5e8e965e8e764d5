using System.Text;
using System.Text.Json;
using Glide.Diffusion;
using Glide.Pipeline;
using GlideFunctions.Activities;
using GlideFunctions.Api;
using GlideFunctions.Options;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using GlideFunctions.Tests.Api;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Tests.Orchestration;

/// <summary>The orchestration input for CLIP-guided and inpainting generations, as the launcher plans them.</summary>
public sealed class GenerationPlanTests
{
    private static readonly GenerationLauncher Launcher = new(
        Microsoft.Extensions.Options.Options.Create(new GlideOptions { ModelDirectory = "unused" }),
        Microsoft.Extensions.Options.Options.Create(new WebhookOptions()),
        TimeProvider.System,
        new BlobTensorStore(new Azure.Storage.Blobs.BlobContainerClient("UseDevelopmentStorage=true", "never-used")));

    [Fact]
    public void A_clip_guided_input_plans_a_clip_guided_cascade_request()
    {
        var plan = Launcher.Plan("g-clip", Input("""{"prompt": "a corgi", "guidance_mode": "clip", "seed": 2}"""), null);

        plan.Validate();
        Assert.Equal(GuidanceMode.Clip, plan.Guidance);
        Assert.Null(plan.Inpaint);
        Assert.Equal(GuidanceMode.Clip, plan.ToRequest().Guidance);
    }

    [Fact]
    public void The_inputs_upsample_sampler_goes_into_the_plan_its_request_and_the_history()
    {
        var named = Launcher.Plan(
            "g-up", Input("""{"prompt": "a", "upsample_sampler": "ancestral", "seed": 2}"""), null);
        var unnamed = Launcher.Plan("g-old", Input("""{"prompt": "a", "seed": 2}"""), null);

        named.Validate();
        Assert.Equal(SamplerKind.Ancestral, named.UpsampleSampler);
        Assert.Equal(SamplerKind.Ancestral, named.ToRequest().UpsampleSampler);
        Assert.Null(unnamed.UpsampleSampler); // an input stored before the field: the model's manifest decides
        Assert.Null(unnamed.ToRequest().UpsampleSampler);
        foreach (var plan in new[] { named, named with { UpsampleSampler = SamplerKind.Ddim }, unnamed })
        {
            var json = JsonSerializer.Serialize(plan);
            Assert.Equal(plan.UpsampleSampler, JsonSerializer.Deserialize<GenerationPlan>(json)!.UpsampleSampler);
        }

        Assert.Contains("\"UpsampleSampler\":\"Ancestral\"", JsonSerializer.Serialize(named), StringComparison.Ordinal);
        var input = new UpsampleInput("g-up", 0, 2, "b", 0, 1, "10", 1f, new TextBlobs("a", "b", "c", "d"))
        {
            Sampler = SamplerKind.Ddim,
        };
        Assert.Equal(input.Sampler, JsonSerializer.Deserialize<UpsampleInput>(JsonSerializer.Serialize(input))!.Sampler);
    }

    [Fact]
    public void An_inpainting_input_plans_its_stored_inputs_under_its_input_hash()
    {
        var input = Input(
            $$"""{"prompt": "a corgi", "image": "{{UploadPngs.Base64(UploadPngs.Source())}}", "keep_top_rows": 20, "num_candidates": 2, "seed": 2}""");

        var plan = Launcher.Plan("g-edit", input, null);

        plan.Validate();
        var tag = IdempotencyKey.HashInput(input)[..16];
        Assert.Equal(
            new InpaintBlobs(
                $"runs/g-edit/inputs/{tag}/image64.npy", $"runs/g-edit/inputs/{tag}/mask64.npy",
                $"runs/g-edit/inputs/{tag}/image256.npy"),
            plan.Inpaint);
        Assert.Equal(GuidanceMode.ClassifierFree, plan.Guidance);
        var request = plan.ToInpaintRequest();
        Assert.Equal((2, 2L, 5f), (request.Count, request.Seed, request.GuidanceScale));
    }

    [Fact]
    public void A_plan_survives_the_orchestration_history_round_trip()
    {
        var input = Input(
            $$"""{"prompt": "a corgi", "image": "{{UploadPngs.Base64(UploadPngs.Source())}}", "keep_top_rows": 20, "seed": 2}""");
        var plan = Launcher.Plan("g-edit", input, null) with { Guidance = GuidanceMode.ClassifierFree };

        var json = JsonSerializer.Serialize(plan);
        var back = JsonSerializer.Deserialize<GenerationPlan>(json)!;

        Assert.Equal(plan.Inpaint, back.Inpaint);
        Assert.Equal(plan.Input, back.Input);
        Assert.Contains("\"Guidance\":\"ClassifierFree\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inpainting_plan_refuses_what_inpainting_cannot_do()
    {
        var plan = Launcher.Plan(
            "g-edit",
            Input($$"""{"prompt": "a", "image": "{{UploadPngs.Base64(UploadPngs.Source())}}", "keep_top_rows": 20, "num_candidates": 2, "seed": 1}"""),
            null);

        Assert.Throws<ArgumentException>(() => (plan with { Rerank = true, Keep = 1 }).Validate());
        Assert.Throws<ArgumentException>(() => (plan with { Guidance = GuidanceMode.Clip }).Validate());
        Assert.Throws<ArgumentException>(() => (plan with { UpsampleSampler = SamplerKind.Ddim }).Validate());
        Assert.Throws<ArgumentException>(() => (plan with { Inpaint = new InpaintBlobs("", "b", "c") }).Validate());
    }

    private static GenerationInput Input(string json)
    {
        var parsed = GenerationRequestParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        return parsed.Input;
    }
}
