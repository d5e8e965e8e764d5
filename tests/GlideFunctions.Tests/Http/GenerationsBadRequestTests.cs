using System.Text.Json.Nodes;
using Glide.Testing;
using GlideFunctions.Api;
using GlideFunctions.Tests.Durable;
using GlideFunctions.Activities;
using GlideFunctions.Http;
using GlideFunctions.Storage;
using GlideFunctions.Webhooks;
using GlideFunctions.Tests.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GlideFunctions.Tests.Http;

/// <summary>
/// Every bad body of the parser's table sent through the create function: each is a 400
/// <c>application/problem+json</c> naming the field, and no orchestration is started for any of them.
/// </summary>
public sealed class GenerationsBadRequestTests(GenerationsBadRequestTests.Host host)
    : IClassFixture<GenerationsBadRequestTests.Host>
{
    public static TheoryData<string, string, string> BadBodies => GenerationRequestParserTests.BadBodies;

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_a_400_problem_naming_the_field_and_starts_nothing(
        string json, string field, string message)
    {
        var context = GenerationsTestHost.Request("POST", "/api/v1/generations", json);
        var response = await GenerationsTestHost.ExecuteAsync(
            context, await host.Api.CreateAsync(context.Request, host.Durable.Client, CancellationToken.None));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        var problem = response.Json;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("/api/v1/generations", problem.GetProperty("instance").GetString());
        var errors = problem.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains(
            errors.GetProperty(field).EnumerateArray(),
            e => e.GetString()!.Contains(message, StringComparison.Ordinal));
        await foreach (var instance in host.Durable.Client.GetAllInstancesAsync())
        {
            Assert.Fail($"a bad request started {instance.InstanceId}");
        }
    }

    [Theory]
    [InlineData("""{"prompt": "a corgi", "num_candidates": 2}""", "Idempotency-Key", "Idempotency-Key")]
    public async Task Requests_the_service_cannot_take_are_400_problems_naming_the_field(
        string json, string field, string message)
    {
        var key = field == "Idempotency-Key" ? new string('k', 300) : null;
        var context = GenerationsTestHost.Request("POST", "/api/v1/generations", json, key);
        var response = await GenerationsTestHost.ExecuteAsync(
            context, await host.Api.CreateAsync(context.Request, host.Durable.Client, CancellationToken.None));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        var errors = response.Json.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains(message, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rerank_is_a_400_problem_when_the_model_directory_has_no_clip_graphs()
    {
        var models = Directory.CreateTempSubdirectory("glide-no-clip-");
        try
        {
            await using var services = Host.Services(TinyModelWithout.Write(models.FullName, "clip"));
            var api = ActivatorUtilities.CreateInstance<GenerationsApi>(services);
            const string json = """{"prompt": "a corgi", "num_candidates": 4, "num_outputs": 1, "rerank": true}""";
            var context = GenerationsTestHost.Request("POST", "/api/v1/generations", json);

            var response = await GenerationsTestHost.ExecuteAsync(
                context, await api.CreateAsync(context.Request, host.Durable.Client, CancellationToken.None));

            Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
            var errors = response.Json.GetProperty("errors");
            Assert.Equal(["rerank"], errors.EnumerateObject().Select(p => p.Name));
            Assert.StartsWith(
                "rerank unavailable: the model directory has no clip graphs",
                errors.GetProperty("rerank")[0].GetString(),
                StringComparison.Ordinal);
            await foreach (var instance in host.Durable.Client.GetAllInstancesAsync())
            {
                Assert.Fail($"a refused rerank started {instance.InstanceId}");
            }
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_400_problem_and_starts_nothing()
    {
        var json = $"{{\"prompt\": \"{new string('a', GenerationParserOptions.DefaultMaxBodyBytes)}\"}}";
        var context = GenerationsTestHost.Request("POST", "/api/v1/generations", json);

        var response = await GenerationsTestHost.ExecuteAsync(
            context, await host.Api.CreateAsync(context.Request, host.Durable.Client, CancellationToken.None));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        var errors = response.Json.GetProperty("errors");
        Assert.Equal([FieldError.Body], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains("larger than the limit of 25,165,824 bytes", errors.GetProperty("$")[0].GetString(), StringComparison.Ordinal);
        await foreach (var instance in host.Durable.Client.GetAllInstancesAsync())
        {
            Assert.Fail($"a bad request started {instance.InstanceId}");
        }
    }

    public static TheoryData<string, string, string, string> UnservableBodies => new()
    {
        {
            "clip", """{"prompt": "a corgi", "guidance_mode": "clip"}""",
            "guidance_mode", "guidance_mode \"clip\" unavailable: the model directory has no clip graphs (clip.text, clip.grad)"
        },
        {
            "clip.grad", """{"prompt": "a corgi", "guidance_mode": "clip"}""",
            "guidance_mode", "guidance_mode \"clip\" unavailable: the model directory's clip model has no gradient graph (clip.grad"
        },
        {
            "base-inpaint", InpaintBody, "image",
            "image: inpainting unavailable: the model directory has no inpainting models (base-inpaint, upsample-inpaint)"
        },
        { "upsample-inpaint", InpaintBody, "image", "image: inpainting unavailable" },
    };

    [Theory]
    [MemberData(nameof(UnservableBodies))]
    public async Task A_request_for_graphs_the_model_directory_lacks_is_a_400_problem_naming_the_field(
        string missing, string json, string field, string message)
    {
        var models = Directory.CreateTempSubdirectory("glide-without-");
        try
        {
            await using var services = Host.Services(WithoutModelPart(models.FullName, missing));
            var api = ActivatorUtilities.CreateInstance<GenerationsApi>(services);
            var context = GenerationsTestHost.Request("POST", "/api/v1/generations", json);

            var response = await GenerationsTestHost.ExecuteAsync(
                context, await api.CreateAsync(context.Request, host.Durable.Client, CancellationToken.None));

            Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
            Assert.Equal("application/problem+json", response.ContentType);
            var errors = response.Json.GetProperty("errors");
            Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
            Assert.StartsWith(message, errors.GetProperty(field)[0].GetString(), StringComparison.Ordinal);
            await foreach (var instance in host.Durable.Client.GetAllInstancesAsync())
            {
                Assert.Fail($"a refused request started {instance.InstanceId}");
            }
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    /// <summary>An inpainting body that is valid in itself.</summary>
    internal static string InpaintBody =>
        $$"""{"prompt": "a corgi", "image": "{{UploadPngs.Base64(UploadPngs.Source())}}", "mask": "{{UploadPngs.Base64(UploadPngs.TopMask())}}"}""";

    /// <summary>
    /// A copy of the tiny model directory in <paramref name="destination"/> without one model kind, or (for a
    /// graph name such as <c>clip.grad</c>) without that one graph, as an export made before it existed.
    /// </summary>
    internal static string WithoutModelPart(string destination, string missing)
    {
        if (!missing.Contains('.', StringComparison.Ordinal))
        {
            return TinyModelWithout.Write(destination, missing);
        }

        TinyModelWithout.Write(destination);
        var path = Path.Combine(destination, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var graphs = manifest["graphs"]!.AsArray();
        var graph = graphs.Single(g => (string?)g!["name"] == missing)!;
        File.Delete(Path.Combine(destination, (string)graph["file"]!));
        File.Delete(Path.Combine(destination, (string)graph["verify"]!["file"]!));
        graphs.Remove(graph);
        File.WriteAllText(path, manifest.ToJsonString());
        return destination;
    }

    /// <summary>
    /// The create function over the app's registrations and an in-process Durable host with nothing registered: a
    /// request that got as far as scheduling would show up as an instance. Storage is never reached on this path.
    /// </summary>
    public sealed class Host : IAsyncLifetime
    {
        private ServiceProvider? _services;

        public GenerationsApi Api { get; private set; } = null!;

        public DurableTaskTestHost Durable { get; private set; } = null!;

        /// <summary>The app's registrations with the given model directory (only read by a create with rerank).</summary>
        public static ServiceProvider Services(string modelDirectory)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Glide:ModelDirectory"] = modelDirectory,
                    ["Webhooks:Secret"] = WebhookSecret.Generate().Encode(),
                })
                .Build();
            return new ServiceCollection()
                .AddLogging()
                .AddSingleton<IConfiguration>(configuration)
                .AddSingleton(new BlobTensorStore(
                    new Azure.Storage.Blobs.BlobContainerClient("UseDevelopmentStorage=true", "never-used")))
                .AddGlideStorage()
                .AddGlideGeneration()
                .AddGlideWebhooks(configuration)
                .BuildServiceProvider();
        }

        public async Task InitializeAsync()
        {
            _services = Services("unused");
            Api = ActivatorUtilities.CreateInstance<GenerationsApi>(_services);
            Durable = await DurableTestHostStarter.StartAsync(
                _ => { }, new DurableTaskTestHostOptions { LoggerFactory = NullLoggerFactory.Instance });
        }

        public async Task DisposeAsync()
        {
            await Durable.DisposeAsync();
            if (_services is not null)
            {
                await _services.DisposeAsync();
            }
        }
    }
}
