using System.Text;
using System.Text.Json;
using GlideFunctions.Tests.Azurite;
using GlideFunctions.Tests.Webhooks;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace GlideFunctions.Tests.Http;

/// <summary>
/// A generation created over HTTP with a webhook: the real orchestrator starts the real delivery sub-orchestrations,
/// which sign and POST to a receiver on loopback (allowed by the dev option), and the status endpoint shows them.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class GenerationWebhooksTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> LocalReceiver = new()
    {
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:RequireHttps"] = "false",
        ["Webhooks:InitialRetryDelay"] = "00:00:01",
    };

    [Fact]
    public async Task Start_each_output_and_completed_are_delivered_signed_and_shown_in_the_generation()
    {
        var attempts = 0;
        await using var receiver = new LoopbackHttpServer(request =>
            request.Headers["webhook-id"].EndsWith(".completed", StringComparison.Ordinal)
            && Interlocked.Increment(ref attempts) == 1
                ? new LoopbackResponse(503)
                : new LoopbackResponse(204));
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer(), LocalReceiver);
        var body = $$"""
            {"prompt": "a corgi", "num_candidates": 2, "num_outputs": 2, "base_steps": "5", "upsample_steps": "5",
             "webhook": "{{receiver.Url}}"}
            """;

        var created = await host.CreateAsync(body);
        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        var id = created.Json.GetProperty("id").GetString()!;
        var done = await host.PollAsync(id, json =>
            json.GetProperty("status").GetString() == "succeeded"
            && json.GetProperty("webhook_deliveries").EnumerateArray().All(d => d.GetProperty("status").GetString() == "delivered"));

        // What the receiver got: four messages, each verified by an independent Standard Webhooks implementation.
        var requests = receiver.Requests;
        var verifier = new StandardWebhook(GenerationsTestHost.Secret.Encode());
        foreach (var request in requests)
        {
            verifier.Verify(
                Encoding.UTF8.GetString(request.Body),
                new HeaderDictionary
                {
                    ["webhook-id"] = request.Headers["webhook-id"],
                    ["webhook-timestamp"] = request.Headers["webhook-timestamp"],
                    ["webhook-signature"] = request.Headers["webhook-signature"],
                });
        }

        string[] messages = [$"{id}.start", $"{id}.output.0", $"{id}.output.1", $"{id}.completed"];
        Assert.Equal(messages.Order(), requests.Select(r => r.Headers["webhook-id"]).Distinct().Order());

        // The 503 was retried with the same id and the same body; every other message went once.
        var completed = requests.Where(r => r.Headers["webhook-id"] == $"{id}.completed").ToList();
        Assert.Equal(2, completed.Count);
        Assert.Equal(completed[0].Body, completed[1].Body);
        Assert.Equal(5, requests.Count);

        using var last = JsonDocument.Parse(completed[1].Body);
        Assert.Equal("completed", last.RootElement.GetProperty("type").GetString());
        var data = last.RootElement.GetProperty("data");
        Assert.Equal(id, data.GetProperty("id").GetString());
        Assert.Equal("succeeded", data.GetProperty("status").GetString());
        Assert.Equal(2, data.GetProperty("output").GetArrayLength());
        using var start = JsonDocument.Parse(requests.Single(r => r.Headers["webhook-id"] == $"{id}.start").Body);
        Assert.Equal("processing", start.RootElement.GetProperty("data").GetProperty("status").GetString());

        // In the order the events happened: start first, the outputs as they were stored, completed last.
        var deliveries = done.GetProperty("webhook_deliveries").EnumerateArray()
            .ToDictionary(d => d.GetProperty("webhook_id").GetString()!, d => d);
        Assert.Equal(messages.Order(), deliveries.Keys.Order());
        Assert.Equal($"{id}.start", deliveries.Keys.First());
        Assert.Equal($"{id}.completed", deliveries.Keys.Last());
        Assert.Equal(2, deliveries[$"{id}.completed"].GetProperty("attempts").GetInt32());
        Assert.All(messages[..^1], m => Assert.Equal(1, deliveries[m].GetProperty("attempts").GetInt32()));
        Assert.All(deliveries.Values, d => Assert.Equal(204, d.GetProperty("last_status_code").GetInt32()));
    }

    [Fact]
    public async Task The_events_filter_limits_what_is_sent()
    {
        await using var receiver = new LoopbackHttpServer(new LoopbackResponse(200));
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer(), LocalReceiver);
        var body = $$"""
            {"prompt": "a corgi", "base_steps": "3", "upsample_steps": "3",
             "webhook": "{{receiver.Url}}", "webhook_events_filter": ["completed"]}
            """;

        var id = (await host.CreateAsync(body)).Json.GetProperty("id").GetString()!;
        var done = await host.PollAsync(id, json =>
            json.GetProperty("status").GetString() == "succeeded"
            && json.GetProperty("webhook_deliveries").EnumerateArray().All(d => d.GetProperty("status").GetString() == "delivered"));

        Assert.Equal([$"{id}.completed"], receiver.Requests.Select(r => r.Headers["webhook-id"]));
        Assert.Single(done.GetProperty("webhook_deliveries").EnumerateArray());
    }

    [Fact]
    public async Task A_private_target_is_refused_at_create_time_when_the_dev_option_is_off()
    {
        await using var receiver = new LoopbackHttpServer(new LoopbackResponse(200));
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        var body = $$"""{"prompt": "a corgi", "webhook": "{{receiver.Url.ToString().Replace("http:", "https:", StringComparison.Ordinal)}}"}""";

        var response = await host.CreateAsync(body);

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Contains("loopback", response.Json.GetProperty("errors").GetProperty("webhook")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
        Assert.Equal(0, receiver.Connections);
    }
}
