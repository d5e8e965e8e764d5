using System.Text.Json;
using GlideFunctions.Api;

namespace GlideFunctions.Tests.Api;

public sealed class GenerationResourceTests
{
    private static readonly GenerationInput Input = new()
    {
        Prompt = "a corgi",
        NumCandidates = 2,
        NumOutputs = 1,
        Seed = 7,
        Rerank = true,
        Webhook = "https://example.com/hook",
        WebhookEventsFilter = [WebhookEventType.Completed],
    };

    [Fact]
    public void Serializes_a_finished_generation_with_the_documented_names()
    {
        var resource = new GenerationResource
        {
            Id = "g-abc",
            Status = GenerationStatus.Succeeded,
            Input = Input,
            Output = [new("https://store/runs/g-abc/images/0.png", 8, 0.3125)],
            CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
            StartedAt = new DateTimeOffset(2025, 1, 2, 4, 4, 6, 500, TimeSpan.FromHours(1)),
            CompletedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 9, 250, TimeSpan.Zero),
            Metrics = new(3.75, new Dictionary<string, double> { ["text"] = 0.25, ["base"] = 2.5 }),
            WebhookDeliveries =
            [
                new()
                {
                    Event = WebhookEventType.Completed,
                    WebhookId = "msg_1",
                    Status = WebhookDeliveryOutcome.Delivered,
                    Attempts = 2,
                    LastStatusCode = 204,
                    LastAttemptAt = new DateTimeOffset(2025, 1, 2, 3, 4, 10, TimeSpan.Zero),
                },
            ],
        };

        Assert.Equal(
            """
            {"id":"g-abc","status":"succeeded",
            "input":{"prompt":"a corgi","negative_prompt":null,"num_candidates":2,"num_outputs":1,"guidance_scale":3,
            "guidance_mode":"cfg","base_steps":"100","upsample_steps":"fast27","seed":7,"rerank":true,"webhook":"https://example.com/hook",
            "webhook_events_filter":["completed"]},
            "output":[{"url":"https://store/runs/g-abc/images/0.png","seed":8,"clip_score":0.3125}],
            "error":null,"created_at":"2025-01-02T03:04:05Z","started_at":"2025-01-02T03:04:06.5Z",
            "completed_at":"2025-01-02T03:04:09.25Z",
            "metrics":{"predict_time":3.75,"stage_times":{"text":0.25,"base":2.5}},"progress":null,
            "webhook_deliveries":[{"event":"completed","webhook_id":"msg_1","status":"delivered","attempts":2,
            "last_status_code":204,"last_attempt_at":"2025-01-02T03:04:10Z","last_error":null}]}
            """.ReplaceLineEndings(string.Empty),
            JsonSerializer.Serialize(resource));
    }

    [Fact]
    public void Serializes_a_running_generation_with_nulls_for_what_is_not_known_yet()
    {
        var resource = new GenerationResource
        {
            Id = "g-abc",
            Status = GenerationStatus.Processing,
            Input = Input with { Webhook = null, WebhookEventsFilter = null },
            CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 120, TimeSpan.Zero),
            StartedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 6, TimeSpan.Zero),
            Progress = new("base", 40, 100),
        };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(resource));
        var root = json.RootElement;

        Assert.Equal(
            [
                "id", "status", "input", "output", "error", "created_at", "started_at", "completed_at", "metrics",
                "progress",
            ],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, root.GetProperty("output").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("completed_at").ValueKind);
        Assert.Equal("2025-01-02T03:04:05.12Z", root.GetProperty("created_at").GetString());
        Assert.Equal("""{"stage":"base","step":40,"of":100}""", root.GetProperty("progress").GetRawText());
    }

    [Fact]
    public void A_failure_names_its_stage()
    {
        var resource = new GenerationResource
        {
            Id = "g-abc",
            Status = GenerationStatus.Failed,
            Input = Input,
            Output = [new("https://store/0.png", 7)],
            Error = new("upsample", "ONNX Runtime ran out of GPU memory"),
            CreatedAt = DateTimeOffset.UnixEpoch,
        };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(resource));

        Assert.Equal(
            """{"stage":"upsample","message":"ONNX Runtime ran out of GPU memory"}""",
            json.RootElement.GetProperty("error").GetRawText());
        Assert.Equal(
            """{"url":"https://store/0.png","seed":7}""", json.RootElement.GetProperty("output")[0].GetRawText());
    }

    [Theory]
    [InlineData(GenerationStatus.Starting, "starting")]
    [InlineData(GenerationStatus.Processing, "processing")]
    [InlineData(GenerationStatus.Succeeded, "succeeded")]
    [InlineData(GenerationStatus.Failed, "failed")]
    [InlineData(GenerationStatus.Canceled, "canceled")]
    public void Statuses_have_the_hosted_api_names(GenerationStatus status, string name)
    {
        Assert.Equal($"\"{name}\"", JsonSerializer.Serialize(status));
        Assert.Equal(status, JsonSerializer.Deserialize<GenerationStatus>($"\"{name}\""));
    }

    [Fact]
    public void The_shape_does_not_depend_on_the_host_serializer_options()
    {
        var resource = new GenerationResource
        {
            Id = "g-abc",
            Status = GenerationStatus.Starting,
            Input = Input,
            CreatedAt = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.FromHours(-7)),
        };

        Assert.Equal(
            JsonSerializer.Serialize(resource),
            JsonSerializer.Serialize(resource, JsonSerializerOptions.Web));
        Assert.Contains(
            "\"created_at\":\"2025-06-01T19:00:00Z\"", JsonSerializer.Serialize(resource), StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_back_what_it_writes()
    {
        var resource = new GenerationResource
        {
            Id = "g-abc",
            Status = GenerationStatus.Canceled,
            Input = Input,
            CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
            CompletedAt = new DateTimeOffset(2025, 1, 2, 3, 5, 0, TimeSpan.Zero),
        };

        var back = JsonSerializer.Deserialize<GenerationResource>(JsonSerializer.Serialize(resource))!;

        Assert.Equal(resource.Input, back.Input);
        Assert.Equal(resource.CreatedAt, back.CreatedAt);
        Assert.Equal(resource.CompletedAt, back.CompletedAt);
        Assert.Equal(GenerationStatus.Canceled, back.Status);
    }
}
