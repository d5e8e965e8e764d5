using System.Text;
using System.Text.Json;
using GlideFunctions.Storage;
using GlideFunctions.Tests.Api;
using GlideFunctions.Tests.Azurite;
using Microsoft.AspNetCore.Http;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GlideFunctions.Tests.Http;

/// <summary>
/// The generations API end to end: the HTTP functions, the real orchestrator and activities in the in-process Durable
/// host, the tiny models, blobs in Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class GenerationsApiTests(AzuriteFixture azurite)
{
    private const string Body =
        """{"prompt": "a corgi wearing a hat", "num_candidates": 2, "num_outputs": 2, "base_steps": "10", "upsample_steps": "10"}""";

    [Fact]
    public async Task Create_answers_202_then_the_generation_succeeds_and_its_images_download()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());

        var created = await host.CreateAsync(Body);

        Assert.Equal(StatusCodes.Status202Accepted, created.Status);
        var id = created.Json.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/generations/{id}", created.Header("Location"));
        Assert.Equal("2", created.Header("Retry-After"));
        Assert.Equal("starting", created.Json.GetProperty("status").GetString());
        Assert.DoesNotContain("runtime/webhooks", created.Text, StringComparison.Ordinal);

        var done = await host.PollStatusAsync(id, "succeeded");
        var output = done.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(2, output.Count);
        var seed = done.GetProperty("input").GetProperty("seed").GetInt64();
        Assert.True(done.GetProperty("started_at").GetDateTimeOffset() <= done.GetProperty("completed_at").GetDateTimeOffset());
        var metrics = done.GetProperty("metrics");
        Assert.True(metrics.GetProperty("predict_time").GetDouble() >= 0);
        Assert.Equal(
            ["base", "text", "upsample"],
            metrics.GetProperty("stage_times").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("progress").ValueKind);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("error").ValueKind);
        for (var i = 0; i < 2; i++)
        {
            // Absolute URLs on the host the client called, so webhook receivers can fetch them too.
            Assert.Equal(
                $"https://glide.test/api/v1/generations/{id}/images/{i}", output[i].GetProperty("url").GetString());
            Assert.Equal(seed + i, output[i].GetProperty("seed").GetInt64());

            var image = await host.GetImageAsync(id, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(StatusCodes.Status200OK, image.Status);
            Assert.Equal("image/png", image.ContentType);
            await using var blob = await host.Store.OpenReadAsync(RunBlobNames.Image(id, i), CancellationToken.None);
            using var copy = new MemoryStream();
            await blob.CopyToAsync(copy);
            Assert.Equal(copy.ToArray(), image.Bytes);
            using var png = Image.Load<Rgb24>(image.Bytes);
            Assert.Equal((256, 256), (png.Width, png.Height));
        }

        // Past the last output, a malformed index, and an id that does not exist: 404 problems.
        foreach (var (missingId, index) in new[] { (id, "2"), (id, "-1"), (id, "x"), ("g-nothere", "0") })
        {
            var missing = await host.GetImageAsync(missingId, index);
            Assert.Equal(StatusCodes.Status404NotFound, missing.Status);
            Assert.Equal("application/problem+json", missing.ContentType);
        }

        // A finished generation cannot be cancelled: the answer is the generation as it is.
        var cancel = await host.CancelAsync(id);
        Assert.Equal(StatusCodes.Status200OK, cancel.Status);
        Assert.Equal("succeeded", cancel.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_status_shows_step_progress_while_the_base_stage_runs()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        var body = Body.Replace("\"base_steps\": \"10\"", "\"base_steps\": \"1000\"", StringComparison.Ordinal);
        var id = (await host.CreateAsync(body)).Json.GetProperty("id").GetString()!;

        var running = await host.PollAsync(id, json =>
            json.GetProperty("progress") is { ValueKind: JsonValueKind.Object } progress
            && progress.GetProperty("stage").GetString() == "base" && progress.GetProperty("step").GetInt32() > 0);

        Assert.Equal("processing", running.GetProperty("status").GetString());
        Assert.Equal(1000, running.GetProperty("progress").GetProperty("of").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, running.GetProperty("started_at").ValueKind);
        await host.CancelAsync(id);
        await host.PollStatusAsync(id, "canceled");
    }

    [Fact]
    public async Task Cancel_mid_run_stops_the_running_stage_within_a_step_and_writes_nothing_more()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        var body = Body.Replace("\"base_steps\": \"10\"", "\"base_steps\": \"1000\"", StringComparison.Ordinal);
        var id = (await host.CreateAsync(body)).Json.GetProperty("id").GetString()!;
        await host.PollAsync(id, json =>
            json.GetProperty("progress") is { ValueKind: JsonValueKind.Object } progress
            && progress.GetProperty("stage").GetString() == "base" && progress.GetProperty("step").GetInt32() > 0);

        var accepted = await host.CancelAsync(id);
        Assert.Equal(StatusCodes.Status202Accepted, accepted.Status);
        var canceled = await host.PollStatusAsync(id, "canceled");

        Assert.Empty(canceled.GetProperty("output").EnumerateArray());
        Assert.NotEqual(JsonValueKind.Null, canceled.GetProperty("completed_at").ValueKind);
        var signals = new RunSignals(host.Store);

        // The activities stop at their next step after they see the request: their progress stops short of the end
        // and stays put, and the base stage never writes its chunks.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var stopped = await signals.ReadProgressAsync(id, CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var later = await signals.ReadProgressAsync(id, CancellationToken.None);
        Assert.NotEmpty(stopped);
        Assert.All(stopped, record => Assert.True(record.Step < record.Of, $"{record} ran to the end"));
        Assert.Equal(stopped, later);
        Assert.False(await host.Store.ExistsAsync(RunBlobNames.BaseChunk(id, 0), CancellationToken.None));
        Assert.Equal("canceled", (await host.CancelAsync(id)).Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_inpainting_request_may_upload_its_files_as_multipart_parts_with_the_same_result()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        var source = UploadPngs.Source();
        var mask = UploadPngs.TopMask(whiteRows: 6);
        const string Fields = """{"prompt": "a corgi", "seed": 11, "base_steps": "10", "upsample_steps": "10"}""";
        var key = Guid.NewGuid().ToString();
        var fromJson = await host.CreateAsync(
            Fields[..^1] + $$""", "image": "{{UploadPngs.Base64(source)}}", "mask": "{{UploadPngs.Base64(mask)}}"}""", key);
        Assert.Equal(StatusCodes.Status202Accepted, fromJson.Status);
        var jsonId = fromJson.Json.GetProperty("id").GetString()!;
        var (form, contentType) = await MultipartCreateBodyTests.FormAsync(
            ("request", Encoding.UTF8.GetBytes(Fields), false), ("image", source, true), ("mask", mask, true));

        // The same request in the other form under the same key is the same generation, not a 409 conflict.
        var again = await host.CreateAsync(form, contentType, key);
        Assert.Equal(StatusCodes.Status202Accepted, again.Status);
        Assert.Equal(jsonId, again.Json.GetProperty("id").GetString());

        // Without a key it is a generation of its own, and the same seed gives the same image.
        var fromParts = await host.CreateAsync(form, contentType);
        Assert.Equal(StatusCodes.Status202Accepted, fromParts.Status);
        var partsId = fromParts.Json.GetProperty("id").GetString()!;
        Assert.NotEqual(jsonId, partsId);
        var done = await host.PollStatusAsync(partsId, "succeeded");
        await host.PollStatusAsync(jsonId, "succeeded");
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(source)),
            done.GetProperty("input").GetProperty("image_sha256").GetString());
        Assert.Equal((await host.GetImageAsync(jsonId, "0")).Bytes, (await host.GetImageAsync(partsId, "0")).Bytes);

        // A form without its request part is a 400 problem that says what to send.
        var (bad, badType) = await MultipartCreateBodyTests.FormAsync(("image", source, true));
        var refused = await host.CreateAsync(bad, badType);
        Assert.Equal(StatusCodes.Status400BadRequest, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType);
        Assert.Contains("no 'request' part", refused.Json.GetProperty("errors").GetProperty("$")[0].GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inpainting_run_shows_step_progress_and_cancels_within_a_step()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        var body = $$"""
            {"prompt": "a corgi", "image": "{{UploadPngs.Base64(UploadPngs.Source())}}", "keep_top_rows": 20,
             "num_candidates": 2, "base_steps": "1000", "upsample_steps": "10"}
            """;
        var id = (await host.CreateAsync(body)).Json.GetProperty("id").GetString()!;

        var running = await host.PollAsync(id, json =>
            json.GetProperty("progress") is { ValueKind: JsonValueKind.Object } progress
            && progress.GetProperty("stage").GetString() == "base" && progress.GetProperty("step").GetInt32() > 0);
        Assert.Equal(1000, running.GetProperty("progress").GetProperty("of").GetInt32());

        Assert.Equal(StatusCodes.Status202Accepted, (await host.CancelAsync(id)).Status);
        var canceled = await host.PollStatusAsync(id, "canceled");
        Assert.Empty(canceled.GetProperty("output").EnumerateArray());
        Assert.False(await host.Store.ExistsAsync(RunBlobNames.BaseChunk(id, 0), CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_or_invalid_ids_are_404_problems()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());

        foreach (var id in new[] { "g-doesnotexist", "not a valid id!", new string('a', 65) })
        {
            var get = await host.GetAsync(id);
            Assert.Equal(StatusCodes.Status404NotFound, get.Status);
            Assert.Equal("application/problem+json", get.ContentType);
            Assert.Equal(404, get.Json.GetProperty("status").GetInt32());

            var cancel = await host.CancelAsync(id);
            Assert.Equal(StatusCodes.Status404NotFound, cancel.Status);
        }
    }

    [Fact]
    public async Task The_same_idempotency_key_gives_the_same_generation_and_a_different_body_a_409()
    {
        await using var host = await GenerationsTestHost.StartAsync(azurite.NewContainer());
        var key = Guid.NewGuid().ToString();

        var first = await host.CreateAsync(Body, key);
        var again = await host.CreateAsync(Body.Replace(", ", ",\n  ", StringComparison.Ordinal), key);
        var different = await host.CreateAsync(Body.Replace("corgi", "cat", StringComparison.Ordinal), key);

        Assert.Equal(StatusCodes.Status202Accepted, first.Status);
        Assert.Equal(StatusCodes.Status202Accepted, again.Status);
        Assert.Equal(first.Json.GetProperty("id").GetString(), again.Json.GetProperty("id").GetString());
        Assert.Equal(
            first.Json.GetProperty("input").GetProperty("seed").GetInt64(),
            again.Json.GetProperty("input").GetProperty("seed").GetInt64());
        Assert.Equal(StatusCodes.Status409Conflict, different.Status);
        Assert.Equal("application/problem+json", different.ContentType);

        // One generation ran, once.
        var id = first.Json.GetProperty("id").GetString()!;
        await host.PollStatusAsync(id, "succeeded");
        var instances = new List<string>();
        await foreach (var instance in host.Client.GetAllInstancesAsync())
        {
            instances.Add(instance.InstanceId);
        }

        Assert.Equal([id], instances);
    }

    [Fact]
    public async Task The_upsample_sampler_is_the_requests_or_the_models_and_the_input_names_the_one_that_ran()
    {
        var copy = Directory.CreateTempSubdirectory("glide-tiny-");
        try
        {
            var models = Glide.Testing.TinyModelCopy.NamingUpsampleSampler(copy.FullName, "ancestral");
            await using var host = await GenerationsTestHost.StartAsync(
                azurite.NewContainer(), new Dictionary<string, string?> { ["Glide:ModelDirectory"] = models });
            const string body = """{"prompt": "a corgi", "base_steps": "10", "upsample_steps": "10", "seed": 5""";

            var byModel = await host.CreateAsync(body + "}");
            var ancestral = await host.CreateAsync(body + """, "upsample_sampler": "ancestral"}""");
            var ddim = await host.CreateAsync(body + """, "upsample_sampler": "ddim"}""");

            var images = new List<byte[]>();
            foreach (var (created, expected) in new[] { (byModel, "ancestral"), (ancestral, "ancestral"), (ddim, "ddim") })
            {
                Assert.Equal(StatusCodes.Status202Accepted, created.Status);
                Assert.Equal(expected, created.Json.GetProperty("input").GetProperty("upsample_sampler").GetString());
                var id = created.Json.GetProperty("id").GetString()!;
                var done = await host.PollStatusAsync(id, "succeeded");
                Assert.Equal(expected, done.GetProperty("input").GetProperty("upsample_sampler").GetString());
                images.Add((await host.GetImageAsync(id, "0")).Bytes);
            }

            // Without the field the manifest's ancestral steps ran: the same image as asking for them, not DDIM's.
            Assert.Equal(images[1], images[0]);
            Assert.NotEqual(images[2], images[0]);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}
