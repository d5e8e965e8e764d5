using System.Text;
using GlideFunctions.Api;
using GlideFunctions.Orchestration;
using GlideFunctions.Queue;
using GlideFunctions.Storage;
using GlideFunctions.Tests.Api;
using GlideFunctions.Tests.Azurite;
using GlideFunctions.Tests.Http;
using Microsoft.DurableTask.Client;

namespace GlideFunctions.Tests.Queue;

/// <summary>
/// Queue messages through the processor against Azurite (real request and poison queues) and the in-process Durable
/// host running the real orchestrator and activities on the tiny fixture.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class GenerationQueueProcessorTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task A_valid_message_starts_a_generation_that_stores_its_images()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        await host.SendAsync(
            """{"id": "queue-corgi", "prompt": "a corgi in a hat", "num_candidates": 2, "base_steps": "10", "upsample_steps": "10"}""");

        var (_, outcome) = await host.ProcessNextAsync(timeout.Token);

        Assert.Equal(new QueueMessageOutcome(QueueMessageResult.Started, "queue-corgi", null), outcome);
        var instance = await host.Client.WaitForInstanceCompletionAsync("queue-corgi", getInputsAndOutputs: true, timeout.Token);
        Assert.True(
            instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{instance.RuntimeStatus}: {instance.FailureDetails?.ErrorMessage}");
        var plan = instance.ReadInputAs<GenerationPlan>()!;
        Assert.Equal("a corgi in a hat", plan.Prompt);
        Assert.Equal(GenerationSeeds.FromId("queue-corgi"), plan.Seed);
        Assert.Equal("ddim", plan.Input!.UpsampleSampler); // the tiny model's manifest names none: DDIM, filled in
        Assert.Equal(Glide.Diffusion.SamplerKind.Ddim, plan.UpsampleSampler);
        Assert.Null(plan.ImageUrlBase);
        var status = instance.ReadCustomStatusAs<GenerationCustomStatus>()!;
        Assert.Equal(GenerationStatus.Succeeded, status.Status);
        Assert.Equal([0, 1], status.Images.Select(i => i.Index));
        foreach (var image in status.Images)
        {
            Assert.Equal(RunBlobNames.Image("queue-corgi", image.Index), image.ImageBlob);
            await using var stream = await host.Store.OpenReadAsync(image.ImageBlob, timeout.Token);
            var head = new byte[PngSignature.Length];
            await stream.ReadExactlyAsync(head, timeout.Token);
            Assert.Equal(PngSignature, head);
        }

        Assert.Empty(await host.ReadPoisonAsync());
    }

    [Fact]
    public async Task A_redelivered_message_finds_the_generation_its_first_delivery_started()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        await host.SendAsync("""{"prompt": "a red cube", "base_steps": "10", "upsample_steps": "10"}""");

        // The first delivery "crashes" after processing: the message is not deleted and comes back.
        var first = await host.ReceiveAsync(visibility: TimeSpan.FromSeconds(1));
        var started = await host.Processor.ProcessAsync(host.Client, first, timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(1.5), timeout.Token);
        var second = await host.ReceiveAsync();
        var again = await host.Processor.ProcessAsync(host.Client, second, timeout.Token);

        var id = QueueGenerationIds.FromMessageId(first.MessageId);
        Assert.Equal((first.MessageId, 1L, 2L), (second.MessageId, first.DequeueCount, second.DequeueCount));
        Assert.Equal(new QueueMessageOutcome(QueueMessageResult.Started, id, null), started);
        Assert.Equal(new QueueMessageOutcome(QueueMessageResult.Existing, id, null), again);
        var instance = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(GenerationSeeds.FromId(id), instance.ReadInputAs<GenerationPlan>()!.Seed);
        var instances = new List<OrchestrationMetadata>();
        await foreach (var item in host.Client.GetAllInstancesAsync(new OrchestrationQuery()))
        {
            instances.Add(item);
        }

        Assert.Equal([id], instances.Select(i => i.InstanceId));
        Assert.Empty(await host.ReadPoisonAsync());
    }

    public static TheoryData<string, string, string> MalformedBodies => new()
    {
        { "{\"prompt\": \"a corgi\",", FieldError.Body, "not valid JSON" },
        { "[\"a corgi\"]", FieldError.Body, "JSON object" },
        { "{\"prompt\": \"a corgi\", \"num_candidates\": 0}", GenerationFields.NumCandidates, "num_candidates" },
        { "{\"promt\": \"a corgi\"}", "promt", "did you mean 'prompt'" },
        { "{\"prompt\": \"a corgi\", \"id\": \"not an id!\"}", GenerationFields.Id, "id must be" },
        { "{\"prompt\": \"a corgi\", \"id\": \"-leading-dash\"}", GenerationFields.Id, "must start with" },
        { "{\"prompt\": \"a corgi\", \"webhook\": \"https://example.com/hook\"}", GenerationFields.Webhook, "not enabled" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task A_malformed_message_is_recorded_in_the_poison_queue_and_starts_nothing(
        string body, string field, string reasonPart)
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        await host.SendAsync(body);

        var (message, outcome) = await host.ProcessNextAsync(timeout.Token);

        Assert.Equal(QueueMessageResult.Invalid, outcome.Result);
        var record = Assert.Single(await host.ReadPoisonAsync());
        Assert.Equal(QueueRejection.InvalidKind, record.Kind);
        Assert.Contains(field, record.Errors.Select(e => e.Field));
        Assert.Contains(reasonPart, record.Reason, StringComparison.Ordinal);
        Assert.Equal(body, record.Body);
        Assert.Equal(QueueRejection.TextEncoding, record.BodyEncoding);
        Assert.Equal((message.MessageId, 1L, host.Requests.Name), (record.MessageId, record.DequeueCount, record.Queue));
        Assert.InRange(record.ReceivedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
        Assert.Null(await host.Client.GetInstanceAsync(QueueGenerationIds.FromMessageId(message.MessageId)));
        if (outcome.GenerationId is { } id)
        {
            Assert.Null(await host.Client.GetInstanceAsync(id));
        }

        // Removed from the request queue: processing returned normally, so the runtime deletes it.
        Assert.Null((await host.Requests.ReceiveMessageAsync()).Value);
    }

    public static TheoryData<string, string, string, string> UnservableMessages => new()
    {
        {
            "clip", """{"id": "no-clip", "prompt": "a corgi", "num_candidates": 4, "num_outputs": 1, "rerank": true}""",
            GenerationFields.Rerank, "rerank unavailable: the model directory has no clip graphs"
        },
        {
            "clip.grad", """{"id": "no-grad", "prompt": "a corgi", "guidance_mode": "clip"}""",
            GenerationFields.GuidanceMode, "guidance_mode \"clip\" unavailable: the model directory's clip model has no gradient graph"
        },
        {
            "upsample-inpaint",
            $$"""{"id": "no-inpaint", "prompt": "a corgi", "image": "{{UploadPngs.Base64(UploadPngs.Source())}}", "keep_top_rows": 20}""",
            GenerationFields.Image, "image: inpainting unavailable"
        },
    };

    [Theory]
    [MemberData(nameof(UnservableMessages))]
    public async Task A_message_asking_for_graphs_the_model_directory_lacks_goes_to_poison_at_once(
        string missing, string body, string field, string reasonPart)
    {
        var models = Directory.CreateTempSubdirectory("glide-queue-without-");
        try
        {
            await using var host = await QueueTestHost.StartAsync(
                azurite, GenerationsBadRequestTests.WithoutModelPart(models.FullName, missing));
            using var timeout = new CancellationTokenSource(Timeout);
            await host.SendAsync(body);

            var (message, outcome) = await host.ProcessNextAsync(timeout.Token);

            Assert.Equal(QueueMessageResult.Invalid, outcome.Result);
            var record = Assert.Single(await host.ReadPoisonAsync());
            Assert.Equal(QueueRejection.InvalidKind, record.Kind);
            Assert.Equal([field], record.Errors.Select(e => e.Field));
            Assert.Contains(reasonPart, record.Reason, StringComparison.Ordinal);
            Assert.Equal(outcome.GenerationId, record.GenerationId);
            Assert.Equal((message.MessageId, 1L), (record.MessageId, record.DequeueCount));
            Assert.Null(await host.Client.GetInstanceAsync(outcome.GenerationId!));
            Assert.Empty(await host.Store.ListAsync(RunBlobNames.RunPrefix(outcome.GenerationId!), timeout.Token));
            Assert.Null((await host.Requests.ReceiveMessageAsync()).Value);
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_inpainting_message_stores_its_inputs_and_runs_the_inpainting_stages()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        await host.SendAsync($$"""
            {"id": "queue-inpaint", "prompt": "a red ball", "image": "{{UploadPngs.Base64(UploadPngs.Source())}}",
             "keep_top_rows": 20, "base_steps": "3", "upsample_steps": "3"}
            """);

        var (_, outcome) = await host.ProcessNextAsync(timeout.Token);

        Assert.Equal(new QueueMessageOutcome(QueueMessageResult.Started, "queue-inpaint", null), outcome);
        var instance = await host.Client.WaitForInstanceCompletionAsync("queue-inpaint", getInputsAndOutputs: true, timeout.Token);
        Assert.True(
            instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{instance.RuntimeStatus}: {instance.FailureDetails?.ErrorMessage}");
        var plan = instance.ReadInputAs<GenerationPlan>()!;
        Assert.NotNull(plan.Inpaint);
        Assert.Equal(20, plan.Input!.KeepTopRows);
        Assert.Null(plan.Input.UpsampleSampler); // inpainting always upsamples ancestrally
        Assert.Null(plan.UpsampleSampler);
        Assert.Equal(GenerationStatus.Succeeded, instance.ReadCustomStatusAs<GenerationCustomStatus>()!.Status);
        foreach (var blob in new[] { plan.Inpaint.Image64, plan.Inpaint.Mask64, plan.Inpaint.Image256, RunBlobNames.Image("queue-inpaint", 0) })
        {
            Assert.True(await host.Store.ExistsAsync(blob, timeout.Token), $"{blob} was not written");
        }

        Assert.Empty(await host.ReadPoisonAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_is_recorded_as_base64()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        byte[] body = [.. "{\"prompt\": \"caf"u8, 0xE9, .. "\"}"u8];
        await host.SendAsync(body);

        var (_, outcome) = await host.ProcessNextAsync(timeout.Token);

        Assert.Equal(QueueMessageResult.Invalid, outcome.Result);
        var record = Assert.Single(await host.ReadPoisonAsync());
        Assert.Equal(QueueRejection.Base64Encoding, record.BodyEncoding);
        Assert.Equal(body, Convert.FromBase64String(record.Body));
        Assert.Contains("UTF-8", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poison_records_are_base64_encoded_like_the_runtimes_own()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        await host.SendAsync("not json");
        await host.ProcessNextAsync(timeout.Token);

        var raw = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, host.Poison.Name);
        var message = (await raw.PeekMessageAsync(timeout.Token)).Value;

        var json = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
        Assert.Contains("\"reason\":", json, StringComparison.Ordinal);
        Assert.Contains("\"body\":\"not json\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_id_reused_with_another_body_is_a_conflict_recorded_in_the_poison_queue()
    {
        await using var host = await QueueTestHost.StartAsync(azurite);
        using var timeout = new CancellationTokenSource(Timeout);
        await host.SendAsync("""{"id": "batch-7", "prompt": "a blue ball", "base_steps": "10", "upsample_steps": "10"}""");
        const string Changed = """{"id": "batch-7", "prompt": "a green ball", "base_steps": "10", "upsample_steps": "10"}""";
        await host.SendAsync(Changed);

        var (_, first) = await host.ProcessNextAsync(timeout.Token);
        var (_, second) = await host.ProcessNextAsync(timeout.Token);

        Assert.Equal(QueueMessageResult.Started, first.Result);
        Assert.Equal(QueueMessageResult.Conflict, second.Result);
        var record = Assert.Single(await host.ReadPoisonAsync());
        Assert.Equal(QueueRejection.ConflictKind, record.Kind);
        Assert.Equal("batch-7", record.GenerationId);
        Assert.Equal([GenerationFields.Id], record.Errors.Select(e => e.Field));
        Assert.Contains("'batch-7' already names a generation", record.Reason, StringComparison.Ordinal);
        Assert.Equal(Changed, record.Body);
        var instance = await host.Client.WaitForInstanceCompletionAsync("batch-7", getInputsAndOutputs: true, timeout.Token);
        Assert.Equal("a blue ball", instance.ReadInputAs<GenerationPlan>()!.Prompt);
    }
}
