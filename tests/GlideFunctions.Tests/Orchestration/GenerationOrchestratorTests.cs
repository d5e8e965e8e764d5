using System.Security.Cryptography;
using Glide.Diffusion;
using Glide.Imaging;
using Glide.Models;
using Glide.Pipeline;
using Glide.Tensors;
using Glide.Testing;
using Glide.Tokenization;
using GlideFunctions.Tests.Durable;
using GlideFunctions.Activities;
using GlideFunctions.Api;
using GlideFunctions.Orchestration;
using GlideFunctions.Storage;
using GlideFunctions.Tests.Api;
using GlideFunctions.Tests.Azurite;
using GlideFunctions.Tests.Http;
using GlideFunctions.Tests.Storage;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace GlideFunctions.Tests.Orchestration;

/// <summary>
/// The whole generation through the in-process Durable Task host, with the activities on the tiny fixture
/// (tests/fixtures/tiny) and their blobs in Azurite: fanning the work out must not change a single image.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class GenerationOrchestratorTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public Task Four_candidates_in_two_chunks_give_the_images_of_the_direct_cascade() =>
        RunsAsTheDirectCascade(manifestSampler: null, planSampler: null, count: 4, chunkSize: 2);

    [Theory]
    [InlineData("ancestral", null)]
    [InlineData("ancestral", SamplerKind.Ddim)]
    [InlineData(null, SamplerKind.Ancestral)]
    public Task The_upsampler_samples_as_the_plan_says_else_as_the_manifest_says(
        string? manifestSampler, SamplerKind? planSampler) =>
        // One candidate is enough here: the chunking is the test above's; this one is the sampler reaching the
        // upsample activity, checked against the direct cascade and shown to differ from the other sampler's images.
        RunsAsTheDirectCascade(manifestSampler, planSampler, count: 1, chunkSize: 1);

    private async Task RunsAsTheDirectCascade(
        string? manifestSampler, SamplerKind? planSampler, int count, int chunkSize)
    {
        // The upsampler activity samples as the plan says, else as the model's manifest says (DDIM when it names
        // none), as the cascade does.
        using var modelCopy = new TempModelCopy(manifestSampler);
        using var models = new GlideModelProvider(() => LoadTinyModels(modelCopy.Directory));
        var store = new BlobTensorStore(azurite.NewContainer());
        var plan = new GenerationPlan(
            "run-1", "a corgi wearing a hat", null, Count: count, ChunkSize: chunkSize, Seed: 1234, GuidanceScale: 3f,
            BaseSteps: "10", UpsampleSteps: "10", UpsampleTemperature: NoiseTemperature.Upsample)
        {
            UpsampleSampler = planSampler,
        };

        await using var host = await DurableTestHostStarter.StartAsync(
            registry =>
            {
                registry.AddOrchestrator<GenerationOrchestrator>();
                registry.AddActivity<EncodeTextActivity>();
                registry.AddActivity<SampleBaseActivity>();
                registry.AddActivity<UpsampleActivity>();
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services => services.AddSingleton(models).AddSingleton(store)
                    .AddSingleton(new StageRunner(new RunSignals(store), TimeSpan.FromMilliseconds(100))),
                LoggerFactory = NullLoggerFactory.Instance,
            });
        using var timeout = new CancellationTokenSource(Timeout);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(
            nameof(GenerationOrchestrator), plan, timeout.Token);
        var instance = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.True(
            instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{instance.RuntimeStatus}: {instance.FailureDetails?.ErrorType} {instance.FailureDetails?.ErrorMessage}\n" +
            instance.FailureDetails?.StackTrace);
        Assert.Equal(GenerationStatus.Succeeded, instance.ReadCustomStatusAs<GenerationCustomStatus>()?.Status);
        var outcome = instance.ReadOutputAs<GenerationOutcome>()!;
        Assert.Equal("run-1", outcome.RunId);
        Assert.Equal(Enumerable.Range(0, count), outcome.Images.Select(i => i.Index));
        Assert.Equal(Enumerable.Range(0, count).Select(i => 1234L + i), outcome.Images.Select(i => i.Seed));
        Assert.Equal(
            Enumerable.Range(0, count).Select(i => $"runs/run-1/images/{i}.png"), outcome.Images.Select(i => i.ImageBlob));
        string[] expectedBlobs =
        [
            "runs/run-1/text/base.xf_proj.npy", "runs/run-1/text/base.xf_out.npy",
            "runs/run-1/text/upsample.xf_proj.npy", "runs/run-1/text/upsample.xf_out.npy",
            .. Enumerable.Range(0, plan.ChunkCount).Select(c => $"runs/run-1/base/{c}.npy"),
            .. Enumerable.Range(0, count).Select(i => $"runs/run-1/up/{i}.npy"),
        ];
        foreach (var blob in expectedBlobs)
        {
            Assert.True(await store.ExistsAsync(blob, timeout.Token), $"{blob} was not written");
        }

        var direct = new GlideCascade(models.Models, new GlideTokenizer()).Generate(plan.ToRequest());
        if (manifestSampler is not null || planSampler is not null)
        {
            var used = planSampler ?? (manifestSampler is null ? SamplerKind.Ddim : SamplerKinds.Parse(manifestSampler));
            var other = new GlideCascade(models.Models, new GlideTokenizer()).Generate(plan.ToRequest() with
            {
                UpsampleSampler = used == SamplerKind.Ddim ? SamplerKind.Ancestral : SamplerKind.Ddim,
            });
            Assert.NotEqual(other.Samples, direct.Samples); // so the comparison below tells the samplers apart
        }

        var size = direct.Images[0].Width;
        for (var chunk = 0; chunk < plan.ChunkCount; chunk++)
        {
            var low = models.Models.BaseUNet!.ImageSize;
            var length = plan.ChunkLength(chunk);
            var samples = StageTensors.Images(
                await store.ReadAsync(RunBlobNames.BaseChunk("run-1", chunk), NpyDType.Float32, [length, 3, low, low], timeout.Token),
                low, "base", length);
            var basePlane = 3 * low * low;
            var baseDifference = MaxDifference(
                samples, direct.BaseSamples.AsSpan(plan.ChunkStart(chunk) * basePlane, length * basePlane));
            output.WriteLine($"base chunk {chunk}: max |Δ| {baseDifference:G3} in [-1, 1]");
            Assert.Equal(0f, baseDifference);
        }

        foreach (var image in outcome.Images)
        {
            var expected = direct.Images[image.Index];
            Assert.Equal(expected.Seed, image.Seed);
            await using var stream = await store.OpenReadAsync(image.ImageBlob, timeout.Token);
            using var png = await Image.LoadAsync<Rgb24>(stream, timeout.Token);
            var pixels = new byte[3 * png.Width * png.Height];
            png.CopyPixelDataTo(pixels);
            Assert.Equal((size, size), (png.Width, png.Height));

            var upsampled = StageTensors.Images(
                await store.ReadAsync(RunBlobNames.Upsampled("run-1", image.Index), NpyDType.Float32, [1, 3, size, size], timeout.Token),
                size, "up", 1);
            var plane = 3 * size * size;
            var maxFloat = MaxDifference(upsampled, direct.Samples.AsSpan(image.Index * plane, plane));
            var maxLevel = Enumerable.Range(0, pixels.Length).Max(k => Math.Abs(pixels[k] - expected.Rgb[k]));
            output.WriteLine($"image {image.Index}: max |Δ| {maxFloat:G3} in [-1, 1], {maxLevel} levels in the PNG");

            // Each image depends only on its seed (design §5), so chunking and per-image upsampling change nothing.
            Assert.Equal(0f, maxFloat);
            Assert.Equal(expected.Rgb, pixels);
        }
    }

    [Fact]
    public async Task A_rerank_keeps_exactly_the_top_k_and_upsamples_them_as_the_cascade_does()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        const string prompt = "an oil painting of a corgi";
        const string body = """
            {"prompt": "an oil painting of a corgi", "num_candidates": 5, "num_outputs": 2, "rerank": true,
             "seed": 77, "base_steps": "4", "upsample_steps": "4"}
            """;

        var created = await host.CreateAsync(body);
        Assert.Equal(202, created.Status);
        var id = created.Json.GetProperty("id").GetString()!;
        var done = await host.PollStatusAsync(id, "succeeded");

        // The core reranker on the candidates the base chunks stored (chunks of 2, 2 and 1) picks the same images.
        var models = host.Services.GetRequiredService<GlideModelProvider>();
        var low = models.Models.BaseUNet!.ImageSize;
        var plane = 3 * low * low;
        var candidates = new float[5 * plane];
        foreach (var (chunk, first, length) in new[] { (0, 0, 2), (1, 2, 2), (2, 4, 1) })
        {
            StageTensors.Images(
                    await host.Store.ReadAsync(
                        RunBlobNames.BaseChunk(id, chunk), NpyDType.Float32, [length, 3, low, low], CancellationToken.None),
                    low, "base", length)
                .CopyTo(candidates, first * plane);
        }

        var expected = ClipReranker.Create(models.Models, models.ClipTokenizer).Rerank(prompt, candidates, 5, keep: 2);
        var scores = await host.Store.ReadAsync(RunBlobNames.RerankScores(id), NpyDType.Float32, [5], CancellationToken.None);
        Assert.Equal(expected.Candidates.Select(c => c.Score), scores.AsSingle());
        var outputs = done.GetProperty("output").EnumerateArray().ToList();
        output.WriteLine($"scores {string.Join(", ", scores.AsSingle())}; kept {string.Join(", ", expected.Kept)}");
        Assert.Equal(expected.Kept.Select(c => 77L + c), outputs.Select(o => o.GetProperty("seed").GetInt64()));
        Assert.Equal(
            expected.Kept.Select(c => (double)expected.Candidates[c].Score),
            outputs.Select(o => o.GetProperty("clip_score").GetDouble()));
        Assert.True(done.GetProperty("metrics").GetProperty("stage_times").TryGetProperty("rerank", out _));
        var outcome = (await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!.ReadOutputAs<GenerationOutcome>()!;
        Assert.Equal(expected.Kept, outcome.Images.Select(i => i.Candidate));
        Assert.Equal([0, 1], outcome.Images.Select(i => i.Index));

        // The in-process cascade with the same request gives the same candidates, choice and PNG bytes.
        var direct = new GlideCascade(models.Models, new GlideTokenizer(), models.ClipTokenizer).Generate(new GenerationRequest
        {
            Prompt = prompt, Count = 5, Keep = 2, Seed = 77, BaseSteps = "4", UpsampleSteps = "4",
        });
        Assert.Equal(direct.BaseSamples, candidates);
        Assert.Equal(expected.Candidates, direct.Rerank!.Candidates);
        for (var k = 0; k < 2; k++)
        {
            var image = direct.Images[k];
            Assert.Equal(expected.Kept[k], image.Candidate);
            var download = await host.GetImageAsync(id, k.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(200, download.Status);
            Assert.Equal(PngFile.Encode(image.Rgb, image.Width, image.Height), download.Bytes);
        }

        string[] blobs =
        [
            .. new[] { "base.xf_out", "base.xf_proj", "upsample.xf_out", "upsample.xf_proj" }.Select(n => $"text/{n}.npy"),
            "base/0.npy", "base/1.npy", "base/2.npy", "rerank/scores.npy", "up/0.npy", "up/1.npy",
            "images/0.png", "images/1.png",
            "progress/base-0.json", "progress/base-1.json", "progress/base-2.json", "progress/rerank-0.json",
            "progress/upsample-0.json", "progress/upsample-1.json",
        ];
        var prefix = RunBlobNames.RunPrefix(id);
        var listed = await host.Store.ListAsync(prefix, CancellationToken.None);
        Assert.Equal(blobs.Order(StringComparer.Ordinal), listed.Select(b => b[prefix.Length..]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Clip_guidance_through_the_api_gives_the_images_of_the_cascade()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        const string prompt = "an oil painting of a corgi";
        const string body = """
            {"prompt": "an oil painting of a corgi", "guidance_mode": "clip", "num_candidates": 3, "seed": 21,
             "base_steps": "4", "upsample_steps": "4"}
            """;

        var created = await host.CreateAsync(body);
        Assert.Equal(202, created.Status);
        Assert.Equal("clip", created.Json.GetProperty("input").GetProperty("guidance_mode").GetString());
        var id = created.Json.GetProperty("id").GetString()!;
        var done = await host.PollStatusAsync(id, "succeeded");

        // The core cascade with the same request (base chunks of 2 and 1 here, one batch of 3 there).
        var models = host.Services.GetRequiredService<GlideModelProvider>();
        var cascade = new GlideCascade(models.Models, new GlideTokenizer(), models.ClipTokenizer);
        var request = new GenerationRequest
        {
            Prompt = prompt, Count = 3, Seed = 21, Guidance = GuidanceMode.Clip, BaseSteps = "4", UpsampleSteps = "4",
        };
        var direct = cascade.Generate(request);
        var outputs = done.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal([21L, 22, 23], outputs.Select(o => o.GetProperty("seed").GetInt64()));
        for (var k = 0; k < 3; k++)
        {
            var image = direct.Images[k];
            var download = await host.GetImageAsync(id, k.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(200, download.Status);
            Assert.Equal(PngFile.Encode(image.Rgb, image.Width, image.Height), download.Bytes);
        }

        // The text stage stored the prompt's CLIP embedding; and CLIP guidance is not classifier-free guidance.
        var (_, clipText, gradient) = ClipGuidedBaseStage.Graphs(models.Models);
        var embedding = await host.Store.ReadAsync(
            RunBlobNames.Text(id, "clip.text_emb"), NpyDType.Float32, [gradient.EmbeddingWidth], CancellationToken.None);
        Assert.Equal(ClipGuidedBaseStage.EncodePrompt(clipText, models.ClipTokenizer, prompt), embedding.AsSingle());
        var classifierFree = cascade.Generate(request with { Guidance = GuidanceMode.ClassifierFree });
        Assert.NotEqual(classifierFree.BaseSamples, direct.BaseSamples);
    }

    [Fact]
    public async Task Clip_guidance_with_a_rerank_keeps_the_cascades_choice_and_images()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        const string body = """
            {"prompt": "a red circle", "guidance_mode": "clip", "num_candidates": 4, "num_outputs": 2,
             "rerank": true, "seed": 9, "base_steps": "4", "upsample_steps": "4"}
            """;

        var created = await host.CreateAsync(body);
        Assert.Equal(202, created.Status);
        var id = created.Json.GetProperty("id").GetString()!;
        var done = await host.PollStatusAsync(id, "succeeded");

        // The core cascade: CLIP-guided candidates, reranked by the same CLIP pair, the best two upsampled.
        var models = host.Services.GetRequiredService<GlideModelProvider>();
        var direct = new GlideCascade(models.Models, new GlideTokenizer(), models.ClipTokenizer).Generate(new GenerationRequest
        {
            Prompt = "a red circle", Count = 4, Keep = 2, Seed = 9, Guidance = GuidanceMode.Clip, BaseSteps = "4",
            UpsampleSteps = "4",
        });
        var scores = await host.Store.ReadAsync(RunBlobNames.RerankScores(id), NpyDType.Float32, [4], CancellationToken.None);
        Assert.Equal(direct.Rerank!.Candidates.Select(c => c.Score), scores.AsSingle());
        var outputs = done.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(direct.Rerank.Kept.Select(c => 9L + c), outputs.Select(o => o.GetProperty("seed").GetInt64()));
        for (var k = 0; k < 2; k++)
        {
            var image = direct.Images[k];
            var download = await host.GetImageAsync(id, k.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(200, download.Status);
            Assert.Equal(PngFile.Encode(image.Rgb, image.Width, image.Height), download.Bytes);
        }
    }

    [Fact]
    public async Task Inpainting_through_the_api_keeps_the_known_region_and_gives_the_images_of_the_cascade()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        var source = UploadPngs.Source(40, 30);
        var mask = UploadPngs.TopMask(whiteRows: 6, size: 16);
        var body = $$"""
            {"prompt": "a corgi on a beach", "image": "{{UploadPngs.Base64(source)}}",
             "mask": "{{UploadPngs.Base64(mask)}}", "num_candidates": 3, "seed": 5, "base_steps": "4",
             "upsample_steps": "4"}
            """;

        var created = await host.CreateAsync(body);
        Assert.Equal(202, created.Status);
        var input = created.Json.GetProperty("input");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(source)), input.GetProperty("image_sha256").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(mask)), input.GetProperty("mask_sha256").GetString());
        Assert.Equal(5.0, input.GetProperty("guidance_scale").GetDouble());
        Assert.False(input.TryGetProperty("image", out _));
        var id = created.Json.GetProperty("id").GetString()!;
        var done = await host.PollStatusAsync(id, "succeeded");

        // The images never pass through the orchestration history: only blob names do.
        var instance = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.DoesNotContain(UploadPngs.Base64(source)[..64], instance!.SerializedInput, StringComparison.Ordinal);
        Assert.InRange(instance.SerializedInput!.Length, 1, 8 * 1024);

        var models = host.Services.GetRequiredService<GlideModelProvider>();
        var inputs = InpaintInputs.FromPng(source, mask);
        var direct = new InpaintCascade(models.InpaintModels, new GlideTokenizer()).Inpaint(
            new InpaintRequest { Prompt = "a corgi on a beach", Count = 3, Seed = 5, BaseSteps = "4", UpsampleSteps = "4" },
            inputs);
        var known = BicubicResampler.Resize(PngImageReader.Read(source, "image"), 256, 256).Pixels.ToArray();
        var outputs = done.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal([5L, 6, 7], outputs.Select(o => o.GetProperty("seed").GetInt64()));
        for (var k = 0; k < 3; k++)
        {
            var expected = direct.Images[k];
            var download = await host.GetImageAsync(id, k.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(200, download.Status);
            Assert.Equal(PngFile.Encode(expected.Rgb, expected.Width, expected.Height), download.Bytes);

            var pixels = PngImageReader.Read(download.Bytes, "output").Pixels.ToArray();
            var (kept, changed) = (0, 0);
            for (var p = 0; p < 256 * 256; p++)
            {
                var same = pixels.AsSpan(3 * p, 3).SequenceEqual(known.AsSpan(3 * p, 3));
                if (inputs.Mask256[p] == 1f)
                {
                    kept++;
                    Assert.True(same, $"output {k}: kept pixel {p} differs from the resized source");
                }
                else
                {
                    changed += same ? 0 : 1;
                }
            }

            Assert.Equal(16 * inputs.KeptPixels, kept);
            Assert.True(changed > 0, $"output {k}: the masked region was not generated");
        }

        var plan = instance.ReadInputAs<GenerationPlan>()!;
        Assert.Equal(GenerationLauncher.InpaintBlobNames(id, plan.InputHash!), plan.Inpaint);
        var tag = plan.InputHash![..16];
        string[] blobs =
        [
            .. new[] { "image64", "mask64", "image256" }.Select(n => $"inputs/{tag}/{n}.npy"),
            .. new[] { "base-inpaint.xf_out", "base-inpaint.xf_proj", "upsample-inpaint.xf_out", "upsample-inpaint.xf_proj" }
                .Select(n => $"text/{n}.npy"),
            "base/0.npy", "base/1.npy", "up/0.npy", "up/1.npy", "up/2.npy", "images/0.png", "images/1.png", "images/2.png",
            "progress/base-0.json", "progress/base-1.json",
            "progress/upsample-0.json", "progress/upsample-1.json", "progress/upsample-2.json",
        ];
        var prefix = RunBlobNames.RunPrefix(id);
        var listed = await host.Store.ListAsync(prefix, CancellationToken.None);
        Assert.Equal(blobs.Order(StringComparer.Ordinal), listed.Select(b => b[prefix.Length..]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_activity_failing_once_is_retried_and_the_run_succeeds_with_nothing_duplicated()
    {
        var fault = new FaultInjectionPolicy("/up/1.npy", failures: 1);
        var container = fault.Container(azurite.ConnectionString, AzuriteFixture.NewContainerName());
        await using var host = await GenerationsTestHost.StartAsync(container);
        const string body =
            """{"prompt": "a corgi", "num_candidates": 4, "num_outputs": 4, "base_steps": "5", "upsample_steps": "5"}""";

        var id = (await host.CreateAsync(body)).Json.GetProperty("id").GetString()!;
        var done = await host.PollStatusAsync(id, "succeeded");

        Assert.Equal(2, fault.Attempts); // the failed upload, then the retried activity's
        Assert.Equal(4, done.GetProperty("output").GetArrayLength());
        string[] expected =
        [
            .. new[] { "base.xf_out", "base.xf_proj", "upsample.xf_out", "upsample.xf_proj" }.Select(n => $"text/{n}.npy"),
            "base/0.npy", "base/1.npy",
            .. Enumerable.Range(0, 4).Select(i => $"up/{i}.npy"),
            .. Enumerable.Range(0, 4).Select(i => $"images/{i}.png"),
            .. Enumerable.Range(0, 2).Select(i => $"progress/base-{i}.json"),
            .. Enumerable.Range(0, 4).Select(i => $"progress/upsample-{i}.json"),
        ];
        var blobs = await host.Store.ListAsync(RunBlobNames.RunPrefix(id), CancellationToken.None);
        Assert.Equal(expected.Order(StringComparer.Ordinal), blobs.Select(b => b[RunBlobNames.RunPrefix(id).Length..]).Order(StringComparer.Ordinal));
        var instances = new List<string>();
        await foreach (var instance in host.Client.GetAllInstancesAsync())
        {
            instances.Add(instance.InstanceId);
        }

        Assert.Equal([id], instances);
    }

    [Fact]
    public async Task An_inpainting_stage_failing_once_is_retried_and_the_run_succeeds()
    {
        var fault = new FaultInjectionPolicy("/base/0.npy", failures: 1);
        var container = fault.Container(azurite.ConnectionString, AzuriteFixture.NewContainerName());
        await using var host = await GenerationsTestHost.StartAsync(container);
        var body = $$"""
            {"prompt": "a corgi", "image": "{{UploadPngs.Base64(UploadPngs.Source())}}", "keep_top_rows": 20,
             "base_steps": "3", "upsample_steps": "3"}
            """;

        var id = (await host.CreateAsync(body)).Json.GetProperty("id").GetString()!;
        var done = await host.PollStatusAsync(id, "succeeded");

        Assert.Equal(2, fault.Attempts); // the failed upload, then the retried InpaintBase's
        Assert.Single(done.GetProperty("output").EnumerateArray());
    }

    [Fact]
    public async Task An_activity_that_keeps_failing_ends_the_generation_failed_with_the_stage_named()
    {
        var fault = new FaultInjectionPolicy("/base/1.npy", FaultInjectionPolicy.Always);
        var container = fault.Container(azurite.ConnectionString, AzuriteFixture.NewContainerName());
        await using var host = await GenerationsTestHost.StartAsync(
            container, new Dictionary<string, string?> { ["Glide:ActivityMaxAttempts"] = "2" });
        const string body =
            """{"prompt": "a corgi", "num_candidates": 4, "num_outputs": 4, "base_steps": "5", "upsample_steps": "5"}""";

        var id = (await host.CreateAsync(body)).Json.GetProperty("id").GetString()!;
        var failed = await host.PollStatusAsync(id, "failed");

        Assert.Equal(2, fault.Attempts);
        var error = failed.GetProperty("error");
        Assert.Equal("base", error.GetProperty("stage").GetString());
        Assert.Contains("injected fault", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(failed.GetProperty("output").EnumerateArray());
        var instance = await host.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance!.RuntimeStatus);
        Assert.Contains("the base stage failed", instance.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.False(await host.Store.ExistsAsync(RunBlobNames.Upsampled(id, 0), CancellationToken.None));
    }

    private static float MaxDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0f;
        for (var k = 0; k < actual.Length; k++)
        {
            max = Math.Max(max, Math.Abs(actual[k] - expected[k]));
        }

        return max;
    }

    private static GlideModelSet LoadTinyModels(string directory) => GlideModelSet.Load(
        directory, ExecutionDevice.Cpu, new GlideModelSetOptions { Models = ["base", "upsample"], VerifyHashes = false });

    /// <summary>The tiny models as committed, or a copy whose manifest names an upsample sampler.</summary>
    private sealed class TempModelCopy : IDisposable
    {
        private readonly DirectoryInfo? _copy;

        public TempModelCopy(string? upsampleSampler)
        {
            if (upsampleSampler is null)
            {
                Directory = RepoRoot.Combine("tests", "fixtures", "tiny");
                return;
            }

            _copy = System.IO.Directory.CreateTempSubdirectory("glide-tiny-");
            Directory = TinyModelCopy.NamingUpsampleSampler(_copy.FullName, upsampleSampler);
        }

        public string Directory { get; }

        public void Dispose() => _copy?.Delete(recursive: true);
    }
}
