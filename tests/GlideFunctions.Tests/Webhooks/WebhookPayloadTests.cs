using System.Text;
using System.Text.Json;
using GlideFunctions.Api;
using GlideFunctions.Webhooks;

namespace GlideFunctions.Tests.Webhooks;

public sealed class WebhookPayloadTests
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 14, 30, 15, 250, TimeSpan.FromHours(2));

    [Fact]
    public void Writes_the_standard_webhooks_envelope_compactly_in_utc()
    {
        using var data = JsonDocument.Parse("""{ "id": "gen_1", "status": "processing", "output": [ ] }""");

        var body = new WebhookPayload(WebhookEventType.Start, At, data.RootElement).ToUtf8Bytes();

        Assert.Equal(
            "{\"type\":\"start\",\"timestamp\":\"2024-05-01T12:30:15.250Z\","
            + "\"data\":{\"id\":\"gen_1\",\"status\":\"processing\",\"output\":[]}}",
            Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void The_same_input_gives_the_same_bytes()
    {
        var generation = new SampleGeneration("gen_2", "succeeded", [new SampleOutput("https://x/0.png", 7, 0.31f)]);

        var first = WebhookPayload.Create(WebhookEventType.Completed, At, generation).ToUtf8Bytes();
        var again = WebhookPayload.Create(WebhookEventType.Completed, At.ToUniversalTime(), generation).ToUtf8Bytes();
        var payload = WebhookPayload.Create(WebhookEventType.Completed, At, generation);

        Assert.Equal(first, again);
        Assert.Equal(payload.ToUtf8Bytes(), payload.ToUtf8Bytes());
    }

    [Fact]
    public void Objects_are_written_in_snake_case()
    {
        var generation = new SampleGeneration("gen_3", "processing", [new SampleOutput("https://x/0.png", 42, 0.5f)]);

        var body = Encoding.UTF8.GetString(
            WebhookPayload.Create(WebhookEventType.Output, At, generation).ToUtf8Bytes());

        Assert.Equal(
            """{"type":"output","timestamp":"2024-05-01T12:30:15.250Z","data":{"id":"gen_3","status":"processing","""
            + "\"output\":[{\"image_url\":\"https://x/0.png\",\"seed\":42,\"clip_score\":0.5}]}}",
            body);
    }

    [Fact]
    public void The_body_is_valid_json_that_reads_back()
    {
        using var data = JsonDocument.Parse("""{"prompt":"crème brûlée <b> & 東京 🦊"}""");
        var body = new WebhookPayload(WebhookEventType.Output, At, data.RootElement).ToUtf8Bytes();

        using var read = JsonDocument.Parse(body);

        Assert.Equal("output", read.RootElement.GetProperty("type").GetString());
        var prompt = read.RootElement.GetProperty("data").GetProperty("prompt").GetString();
        Assert.Equal("crème brûlée <b> & 東京 🦊", prompt);
    }

    [Fact]
    public void The_payload_outlives_the_document_it_was_given()
    {
        WebhookPayload payload;
        using (var data = JsonDocument.Parse("""{"id":"gen_4"}"""))
        {
            payload = new WebhookPayload(WebhookEventType.Start, At, data.RootElement);
        }

        var body = Encoding.UTF8.GetString(payload.ToUtf8Bytes());
        Assert.EndsWith("""{"id":"gen_4"}}""", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_is_required()
    {
        Assert.Throws<ArgumentException>(() => new WebhookPayload(WebhookEventType.Start, At, default));
    }

    private sealed record SampleGeneration(string Id, string Status, IReadOnlyList<SampleOutput> Output);

    private sealed record SampleOutput(string ImageUrl, long Seed, float ClipScore);
}
